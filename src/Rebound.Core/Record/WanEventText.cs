using Rebound.Decide;

namespace Rebound.Record;

/// <summary>One human-readable line per event, for a terminal.</summary>
public static class WanEventText
{
    public static string Format(WanEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var detail = e switch
        {
            WatcherStarted s => $"ipv4 {s.Ipv4?.ToString() ?? "unknown"}, ipv6 {s.Ipv6?.ToString() ?? "unknown"} (servers: {string.Join(", ", s.Servers)})",
            PublicAddressChanged c => $"{c.Family.ToName()} {c.Old?.ToString() ?? "none"} -> {c.New} ({Describe(c.Evidence)})",
            UpstreamLost l => $"{l.Family.ToName()} no server answers ({Describe(l.Evidence)})",
            UpstreamRestored r => $"{r.Family.ToName()} {r.Address} ({Describe(r.Evidence)})",
            LocalNetworkChanged n => string.Join("; ", n.Differences),
            _ => "",
        };
        return $"{EventTime.Format(e.Time)} {e.Name} {detail}";
    }

    private static string Describe(WanEvidence evidence) =>
        $"{evidence.Trigger}, {evidence.Rounds} round(s): {string.Join("; ", evidence.Observations)}";
}
