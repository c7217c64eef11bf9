using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Rebound.Configuration;
using Rebound.Sense.Sources;
using Rebound.Sense.Stun;

namespace Rebound.Sense;

/// <summary>A STUN server as configured: a literal address or a host name resolved when probed.</summary>
public sealed record StunTarget(string Host, int Port) : AddressSourceSpec
{
    public const int DefaultPort = 3478;

    /// <summary>Two public servers run by different providers, so one provider's outage or lie cannot move the state alone.</summary>
    public static IReadOnlyList<StunTarget> PublicDefaults { get; } =
    [
        new("stun.l.google.com", 19302),
        new("stun.cloudflare.com", 3478),
    ];

    public override string Name => HostPort.Format(Host, Port);

    public override AddressSourceKind Kind => AddressSourceKind.Stun;

    public override AddressFamily Family => FamilyOfHost(Host);

    public IPAddress? Literal => IPAddress.TryParse(Host, out var ip) ? ip : null;

    public override string ToString() => Name;

    /// <summary>Parses <c>HOST</c>, <c>HOST:PORT</c>, <c>IPV4:PORT</c> or <c>[IPV6]:PORT</c> (port 3478 if omitted).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out StunTarget? target, [NotNullWhen(false)] out string? error)
    {
        if (!HostPort.TryParse(text, DefaultPort, out var parsed, out error))
        {
            target = null;
            return false;
        }

        target = new StunTarget(parsed.Host, parsed.Port);
        return true;
    }
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
