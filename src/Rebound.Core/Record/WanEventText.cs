using Rebound.Decide;

namespace Rebound.Record;

/// <summary>What a watcher event says, for the human line after its time and name.</summary>
internal static class WanEventText
{
    public static string Format(WatcherStarted e) =>
        $"ipv4 {e.Ipv4?.ToString() ?? "unknown"}, ipv6 {e.Ipv6?.ToString() ?? "unknown"} (servers: {string.Join(", ", e.Servers)})";

    public static string Format(PublicAddressChanged e) => e.Ambiguous
        ? $"{e.Family.ToName()} {e.Old?.ToString() ?? "none"} -> ambiguous: {string.Join(", ", e.Seen)} (no source sees the old address, and they disagree: tunnels are healed, DNS waits for one address; {Describe(e.Evidence)})"
        : $"{e.Family.ToName()} {e.Old?.ToString() ?? "none"} -> {e.New} ({Describe(e.Evidence)})";

    public static string Format(SourcesDegraded e) =>
        $"{e.Family.ToName()} {string.Join(", ", e.Failing.Select(f => f.Kind.ToName()))} not answering, tracking through {(e.Working.Count == 0 ? "nothing else" : string.Join(", ", e.Working.Select(k => k.ToName())))} ({string.Join("; ", e.Failing.Select(f => f.Errors))})";

    public static string Format(SourcesRecovered e) =>
        $"{e.Family.ToName()} {string.Join(", ", e.Recovered.Select(k => k.ToName()))} answering again";

    public static string Format(UpstreamLost e) =>
        $"{e.Family.ToName()} no server answers ({Describe(e.Evidence)})";

    public static string Format(UpstreamRestored e) =>
        $"{e.Family.ToName()} {e.Address} ({Describe(e.Evidence)})";

    public static string Format(LocalNetworkChanged e) =>
        string.Join("; ", e.Differences);

    private static string Describe(WanEvidence evidence) =>
        $"{evidence.Trigger}, {evidence.Rounds} round(s): {string.Join("; ", evidence.Observations)}";
}
