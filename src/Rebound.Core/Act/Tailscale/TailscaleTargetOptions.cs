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

    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The systemd unit the restart rung restarts over D-Bus.</summary>
    public string Unit { get; init; } = DefaultUnit;

    /// <summary>When set, the restart rung runs this (argv, no shell) instead of asking systemd.</summary>
    public IReadOnlyList<string>? RestartCommand { get; init; }

    /// <summary>Tailscale IPs of peers that must answer a disco ping for the target to count as verified.</summary>
    public IReadOnlyList<IPAddress> PingPeers { get; init; } = [];
}
