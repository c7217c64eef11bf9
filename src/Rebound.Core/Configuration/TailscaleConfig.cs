using System.Net;
using Rebound.Act.Tailscale;

namespace Rebound.Configuration;

/// <summary>The <c>[tailscale]</c> table: heal tailscaled after failovers.</summary>
public sealed record TailscaleConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>tailscaled's LocalAPI socket.</summary>
    public string Socket { get; init; } = TailscaleLocalClientOptions.DefaultSocketPath;

    /// <summary>The systemd unit the restart rung restarts over D-Bus.</summary>
    public string Unit { get; init; } = TailscaleTargetOptions.DefaultUnit;

    /// <summary>When set, the restart rung runs this (argv, no shell) instead of asking systemd.</summary>
    public IReadOnlyList<string>? RestartCommand { get; init; }

    /// <summary>Tailscale IPs of peers that must answer a disco ping before a heal counts as verified.</summary>
    public IReadOnlyList<IPAddress> PingPeers { get; init; } = [];

    public TimeSpan VerifyDeadline { get; init; } = TailscaleTargetOptions.DefaultVerifyDeadline;
}
