using System.Net;

namespace Rebound.Act.Tailscale;

public sealed class TailscaleTargetOptions
{
    public const string DefaultUnit = "tailscaled.service";

    /// <summary>
    /// tailscaled re-STUNs every 20-26 s by itself, so a remedy that has not shown within this long is not
    /// going to; a restart also needs the control connection back.
    /// </summary>
    public static readonly TimeSpan DefaultVerifyDeadline = TimeSpan.FromSeconds(20);

    public TimeSpan VerifyDeadline { get; init; } = DefaultVerifyDeadline;

    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The systemd unit the restart rung restarts.</summary>
    public string Unit { get; init; } = DefaultUnit;

    /// <summary>Tailscale IPs of peers that must answer a disco ping for the target to count as verified.</summary>
    public IReadOnlyList<IPAddress> PingPeers { get; init; } = [];
}
