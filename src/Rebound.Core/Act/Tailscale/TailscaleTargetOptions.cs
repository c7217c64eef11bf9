using System.Net;

namespace Rebound.Act.Tailscale;

/// <summary>
/// What the tailscale target needs. The <c>[tailscale]</c> table reads straight into these
/// (<see cref="TailscaleDefinition"/>), so each default is written here only.
/// </summary>
public sealed class TailscaleTargetOptions
{
    public const string DefaultUnit = "tailscaled.service";

    /// <summary>
    /// tailscaled re-STUNs every 20-26 s by itself, so a remedy that has not shown within this long is not
    /// going to; a restart also needs the control connection back.
    /// </summary>
    public static readonly TimeSpan DefaultVerifyDeadline = TimeSpan.FromSeconds(20);

    /// <summary>False: the table is kept (and checked) but no target is built.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>tailscaled's LocalAPI socket.</summary>
    public string Socket { get; init; } = TailscaleLocalClientOptions.DefaultSocketPath;

    public TimeSpan VerifyDeadline { get; init; } = DefaultVerifyDeadline;

    /// <summary>Often: a disco pong or a reconnect shows within tens of milliseconds.</summary>
    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The systemd unit the restart rung restarts over D-Bus.</summary>
    public string Unit { get; init; } = DefaultUnit;

    /// <summary>When set, the restart rung runs this (argv, no shell) instead of asking systemd.</summary>
    public IReadOnlyList<string>? RestartCommand { get; init; }

    /// <summary>Tailscale IPs of peers that must answer a disco ping for the target to count as verified.</summary>
    public IReadOnlyList<IPAddress> PingPeers { get; init; } = [];

    /// <summary>tailscaled's UDP port (its <c>--port</c>); null: found from its sockets and <c>Self.Addrs</c>.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// A restart that did not bring a pinned direct path back is not repeated for the same public address within
    /// this long: tailscaled binds the same port again, so nothing it could change has changed.
    /// </summary>
    public TimeSpan RestartGuard { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the hop rule keeps hopping new flows from the port after a heal (the router's pinned entry expires meanwhile).</summary>
    public TimeSpan HopKeep { get; init; } = TimeSpan.FromSeconds(180);
}
