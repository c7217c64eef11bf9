using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.DnsWhoami;
using Rebound.Sense.Gateway;
using Rebound.Sense.Http;

namespace Rebound.Sense.Sources;

/// <summary>
/// An address source as written in <c>[watch] servers</c> or <c>--server</c>: <c>HOST[:PORT]</c> or
/// <c>stun:HOST:PORT</c>, <c>http(s)://…</c>, <c>dns:NAME@SERVER[/A|/AAAA|/TXT][/CH]</c>, <c>natpmp[:GATEWAY]</c>,
/// <c>upnp:URL</c>.
/// </summary>
public abstract record AddressSourceSpec
{
    /// <summary>The one grammar, for help texts and errors.</summary>
    public const string Grammar = "HOST[:PORT] or stun:HOST:PORT (STUN), http(s)://URL (echo), dns:NAME@SERVER[/A|/AAAA|/TXT][/CH] (whoami), natpmp[:GATEWAY] or upnp:URL (gateway hints)";

    public abstract string Name { get; }

    public abstract AddressSourceKind Kind { get; }

    /// <summary>The family of the address it reports, as far as known before asking (a host name counts as IPv4).</summary>
    public abstract AddressFamily Family { get; }

    public static bool TryParse(string text, [NotNullWhen(true)] out AddressSourceSpec? spec, [NotNullWhen(false)] out string? error)
    {
        spec = null;
        text = text?.Trim() ?? "";
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return HttpSourceSpec.TryParseSpec(text, out spec, out error);
        }

        if (text.StartsWith("dns:", StringComparison.OrdinalIgnoreCase))
        {
            return DnsSourceSpec.TryParseSpec(text, out spec, out error);
        }

        if (text.Equals("natpmp", StringComparison.OrdinalIgnoreCase) || text.StartsWith("natpmp:", StringComparison.OrdinalIgnoreCase))
        {
            return NatPmpSourceSpec.TryParseSpec(text, out spec, out error);
        }

        if (text.StartsWith("upnp:", StringComparison.OrdinalIgnoreCase))
        {
            return UpnpSourceSpec.TryParseSpec(text, out spec, out error);
        }

        if (text.StartsWith("stun:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[5..];
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            error = $"'{text}': unknown scheme; expected {Grammar}";
            return false;
        }

        if (StunTarget.TryParse(text, out var target, out error))
        {
            spec = target;
            return true;
        }

        return false;
    }

    /// <summary>The family of a host: its own for a literal, IPv4 for a name (names are resolved to IPv4).</summary>
    protected static AddressFamily FamilyOfHost(string host) =>
        IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && !ip.IsIPv4MappedToIPv6
            ? AddressFamily.InterNetworkV6
            : AddressFamily.InterNetwork;
}
