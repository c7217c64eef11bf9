using System.Net;

namespace Rebound.Act.WireGuard;

/// <summary>
/// What <see cref="WireGuardTarget"/> needs to know. A <c>[[wireguard]]</c> table reads straight into these
/// (<see cref="WireGuardDefinition"/>), so each default is written here only.
/// </summary>
public sealed record WireGuardTargetOptions
{
    public static readonly TimeSpan DefaultVerifyDeadline = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan DefaultResolveInterval = TimeSpan.FromMinutes(5);

    /// <summary>WireGuard's own threshold (wireguard-tools' reresolve-dns.sh): no handshake for this long means the peer is not answering.</summary>
    public static readonly TimeSpan DefaultHandshakeStaleAfter = TimeSpan.FromSeconds(135);

    /// <summary>
    /// A rotated port is given back only after this long: by then the router's conntrack entry of the old port
    /// (refreshed by nothing since the rotation) has expired (Linux: 120 s for UDP streams), so moving back makes a
    /// fresh flow that takes the current WAN instead of the dead one.
    /// </summary>
    public static readonly TimeSpan DefaultRestorePortAfter = TimeSpan.FromSeconds(180);

    /// <summary>
    /// Short, because a pinned flow is diagnosed by waiting this long for an echo right after a failover (the
    /// ~2 s heal target); slower links raise it, and late answers still count on the next echo.
    /// </summary>
    public static readonly TimeSpan DefaultPingTimeout = TimeSpan.FromMilliseconds(300);

    public required string Interface { get; init; }

    public IReadOnlyList<IPAddress> VerifyPing { get; init; } = [];

    /// <summary>Public key (base64) to <c>host:port</c>. When empty, <see cref="ConfigFile"/> is read.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; init; } = new Dictionary<string, string>();

    /// <summary>wg-quick file with <c>Endpoint =</c> lines; null: <c>/etc/wireguard/IF.conf</c> when it exists (see <see cref="WireGuardTarget.Create"/>).</summary>
    public string? ConfigFile { get; init; }

    public bool RestorePort { get; init; }

    public IReadOnlyList<string>? RestartCommand { get; init; }

    public TimeSpan VerifyDeadline { get; init; } = DefaultVerifyDeadline;

    /// <summary>Often, so a restored tunnel is noticed within a few tens of milliseconds of answering.</summary>
    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// One echo's patience (<c>ping_timeout</c>): tunnel round trips are tens of milliseconds and a diagnosis right
    /// after a failover waits this long, so it stays short. A missed echo alone does not rotate the port outside
    /// address events while the peer is still heard from, and late answers count on the next echo.
    /// </summary>
    public TimeSpan PingTimeout { get; init; } = DefaultPingTimeout;

    public TimeSpan ResolveInterval { get; init; } = DefaultResolveInterval;

    public TimeSpan HandshakeStaleAfter { get; init; } = DefaultHandshakeStaleAfter;

    public TimeSpan RestorePortAfter { get; init; } = DefaultRestorePortAfter;

    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Picks the new listen port given the current one; default: a random free port from 49152-65535.</summary>
    public Func<int, int>? PickPort { get; init; }
}
