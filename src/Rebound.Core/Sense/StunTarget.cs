using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Stun;

namespace Rebound.Sense;

/// <summary>A STUN server as configured: a literal address or a host name resolved when probed.</summary>
public sealed record StunTarget(string Host, int Port)
{
    public const int DefaultPort = 3478;

    /// <summary>Two public servers run by different providers, so one provider's outage or lie cannot move the state alone.</summary>
    public static IReadOnlyList<StunTarget> PublicDefaults { get; } =
    [
        new("stun.l.google.com", 19302),
        new("stun.cloudflare.com", 3478),
    ];

    public string Name => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public IPAddress? Literal => IPAddress.TryParse(Host, out var ip) ? ip : null;

    public override string ToString() => Name;

    /// <summary>Parses <c>HOST</c>, <c>HOST:PORT</c>, <c>IPV4:PORT</c> or <c>[IPV6]:PORT</c>.</summary>
    public static bool TryParse(string text, out StunTarget? target, out string? error)
    {
        target = null;
        error = null;
        text = text?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "empty server";
            return false;
        }

        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': missing ']' after IPv6 address";
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}': expected ':PORT' after ']'";
                    return false;
                }

                portText = rest[1..];
            }

            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}': '{host}' is not an IPv6 address";
                return false;
            }
        }
        else if (text.Count(c => c == ':') > 1)
        {
            // A bare IPv6 literal has no room for a port.
            if (!IPAddress.TryParse(text, out _))
            {
                error = $"'{text}': not a host, HOST:PORT or [IPV6]:PORT";
                return false;
            }

            host = text;
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }

        var port = DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{text}': port must be a number from 1 to 65535";
            return false;
        }

        if (host.Length == 0 || (IPAddress.TryParse(host, out _) is false && !IsHostName(host)))
        {
            error = $"'{text}': '{host}' is not a valid host name or address";
            return false;
        }

        target = new StunTarget(host, port);
        return true;
    }

    private static bool IsHostName(string host) =>
        host.Length <= 253
        && host.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && label[0] != '-' && label[^1] != '-');
}

/// <summary>Resolves targets to servers; a name that does not resolve is reported, not thrown.</summary>
public static class StunTargetResolver
{
    /// <summary>Resolves names to their IPv4 addresses (first one). Literals pass through.</summary>
    public static async Task<(StunServer? Server, string? Error)> ResolveAsync(StunTarget target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Literal is { } literal)
        {
            return (new StunServer(target.Name, new IPEndPoint(literal, target.Port)), null);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(target.Host, AddressFamily.InterNetwork, ct);
            return addresses.Length == 0
                ? (null, $"cannot resolve {target.Host}: no IPv4 address")
                : (new StunServer(target.Name, new IPEndPoint(addresses[0], target.Port)), null);
        }
        catch (SocketException ex)
        {
            return (null, $"cannot resolve {target.Host}: {ex.Message}");
        }
    }
}
