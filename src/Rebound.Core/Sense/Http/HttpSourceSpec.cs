using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Rebound.Sense.Sources;

namespace Rebound.Sense.Http;

/// <summary>An HTTP(S) echo that answers the caller's address (plain text, JSON <c>ip</c>/<c>address</c>, or an <c>ip=</c> line).</summary>
public sealed record HttpSourceSpec(Uri Url) : AddressSourceSpec
{
    public override string Name => Url.OriginalString;

    public override AddressSourceKind Kind => AddressSourceKind.Http;

    public override AddressFamily Family => FamilyOfHost(Url.IdnHost.Trim('[', ']'));

    internal static bool TryParseSpec(string text, [NotNullWhen(true)] out AddressSourceSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Host.Length == 0)
        {
            error = $"'{text}': not an http:// or https:// URL with a host";
            return false;
        }

        if (url.UserInfo.Length > 0)
        {
            error = $"'{text}': credentials in the URL are not supported";
            return false;
        }

        spec = new HttpSourceSpec(url);
        error = null;
        return true;
    }
}
