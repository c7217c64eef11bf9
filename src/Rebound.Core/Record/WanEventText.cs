using Rebound.Decide;

namespace Rebound.Record;

/// <summary>What a watcher event says, for the human line after its time and name.</summary>
public static class WanEventText
{
    public static string Format(WatcherStarted e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"ipv4 {e.Ipv4?.ToString() ?? "unknown"}, ipv6 {e.Ipv6?.ToString() ?? "unknown"} (servers: {string.Join(", ", e.Servers)})";
    }

    public static string Format(PublicAddressChanged e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Family.ToName()} {e.Old?.ToString() ?? "none"} -> {e.New} ({Describe(e.Evidence)})";
    }

    public static string Format(UpstreamLost e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Family.ToName()} no server answers ({Describe(e.Evidence)})";
    }

    public static string Format(UpstreamRestored e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Family.ToName()} {e.Address} ({Describe(e.Evidence)})";
    }

    public static string Format(LocalNetworkChanged e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return string.Join("; ", e.Differences);
    }

    private static string Describe(WanEvidence evidence) =>
        $"{evidence.Trigger}, {evidence.Rounds} round(s): {string.Join("; ", evidence.Observations)}";
}
