namespace Rebound.Sense.Uplinks;

/// <summary>
/// How the router probes each WAN. The defaults declare a dead uplink in about a second: one probe every
/// <see cref="Interval"/>, down when one probe (three Binding requests, to every server) gets no answer within
/// <see cref="ProbeTimeout"/>. A single probe carries three transmissions, so one lost datagram does not flap it.
/// </summary>
public sealed class UplinkMonitorOptions
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>Consecutive failed probes before an uplink is down.</summary>
    public int DownAfter { get; init; } = 1;

    /// <summary>The connection mark each WAN's policy routing uses, by interface (set on the probe socket).</summary>
    public IReadOnlyDictionary<string, uint> Marks { get; init; } = new Dictionary<string, uint>(StringComparer.Ordinal);
}
