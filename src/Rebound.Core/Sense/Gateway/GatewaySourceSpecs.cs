using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Sources;

namespace Rebound.Sense.Gateway;

/// <summary><c>natpmp</c> (the default gateway) or <c>natpmp:GATEWAY</c>: the gateway's NAT-PMP external address, a hint.</summary>
public sealed record NatPmpSourceSpec(IPAddress? Gateway) : AddressSourceSpec
{
    public const int Port = 5351;

    public override string Name => Gateway is null ? "natpmp" : $"natpmp:{Gateway}";

    public override AddressSourceKind Kind => AddressSourceKind.NatPmp;

    public override AddressFamily Family => AddressFamily.InterNetwork;

    internal static bool TryParseSpec(string text, [NotNullWhen(true)] out AddressSourceSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        if (text.Length == "natpmp".Length)
        {
            spec = new NatPmpSourceSpec((IPAddress?)null);
            error = null;
            return true;
        }

        var host = text["natpmp:".Length..];
        if (!IPAddress.TryParse(host, out var gateway) || gateway.AddressFamily != AddressFamily.InterNetwork)
        {
            error = $"'{text}': natpmp:GATEWAY needs the gateway's IPv4 address";
            return false;
        }

        spec = new NatPmpSourceSpec(gateway);
        error = null;
        return true;
    }
}

/// <summary><c>upnp:URL</c>: the IGD description URL (e.g. http://192.168.1.1:5000/rootDesc.xml); GetExternalIPAddress, a hint.</summary>
public sealed record UpnpSourceSpec(Uri DescriptionUrl) : AddressSourceSpec
{
    public override string Name => $"upnp:{DescriptionUrl.OriginalString}";

    public override AddressSourceKind Kind => AddressSourceKind.Upnp;

    public override AddressFamily Family => AddressFamily.InterNetwork;

    internal static bool TryParseSpec(string text, [NotNullWhen(true)] out AddressSourceSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        var url = text["upnp:".Length..];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            error = $"'{text}': upnp:URL needs the gateway's http:// description URL";
            return false;
        }

        spec = new UpnpSourceSpec(uri);
        error = null;
        return true;
    }
}
