using System.Net;

namespace Rebound.Act.Nebula;

/// <summary>
/// What <see cref="NebulaTarget"/> needs to know. A <c>[[nebula]]</c> table reads straight into these
/// (<see cref="NebulaDefinition"/>), so each default is written here only.
/// </summary>
public sealed record NebulaTargetOptions
{
    public static readonly TimeSpan DefaultVerifyDeadline = TimeSpan.FromSeconds(3);

    /// <summary>
    /// One echo's patience through the overlay. A pinned tunnel is diagnosed by waiting this long right after a
    /// failover, so it stays short; an idle tunnel that nebula closed needs one handshake round trip first.
    /// </summary>
    public static readonly TimeSpan DefaultPingTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A restart that did not bring the tunnel back is not repeated for the same public address within this long:
    /// nothing it could change has changed (loop guard, beside the engine's hourly budget).
    /// </summary>
    public static readonly TimeSpan DefaultRestartGuard = TimeSpan.FromMinutes(10);

    /// <summary>The node's config.yml, read when the configuration is loaded (check-config reports its problems).</summary>
    public required NebulaConfig Config { get; init; }

    /// <summary>Overlay addresses that answer ICMP echo when the tunnel works; empty: the config's lighthouses.</summary>
    public IReadOnlyList<IPAddress> VerifyPing { get; init; } = [];

    /// <summary>What is pinged: <see cref="VerifyPing"/>, else the lighthouses.</summary>
    public IReadOnlyList<IPAddress> PingTargets => VerifyPing.Count > 0 ? VerifyPing : Config.Lighthouses;

    public IReadOnlyList<string>? RestartCommand { get; init; }

    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RestartGuard { get; init; } = DefaultRestartGuard;

    public TimeSpan VerifyDeadline { get; init; } = DefaultVerifyDeadline;

    /// <summary>
    /// How long the hop rule keeps hopping new flows (a lighthouse re-handshake) after a heal: until the router's
    /// pinned entry of the old port, refreshed by nothing since, has expired (Linux: 120-180 s for UDP).
    /// </summary>
    public TimeSpan HopKeep { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Often, so a restored tunnel is noticed within a few tens of milliseconds of answering.</summary>
    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan PingTimeout { get; init; } = DefaultPingTimeout;

    /// <summary>The target's name: <c>nebula:</c> and the config file's path.</summary>
    public string Name => "nebula:" + Config.Path;
}
