using System.Net;
using Rebound.Sense.Sources;

namespace Rebound.Decide;

/// <summary>What one server said in one probe round: the public address it saw, or why it said nothing.</summary>
public sealed record ProbeObservation(string Server, IpFamily Family, IPAddress? Address, TimeSpan Rtt, string? Error)
{
    /// <summary>What kind of source answered; evidence names it.</summary>
    public AddressSourceKind Kind { get; init; } = AddressSourceKind.Stun;

    /// <summary>The public port a STUN server saw; null for other kinds and failures.</summary>
    public int? Port { get; init; }

    /// <summary>The question never left this host (no descriptor); shown in evidence, never counted as loss.</summary>
    public bool LocalFailure { get; init; }

    public override string ToString() =>
        Address is null ? $"{Server}: {Error}" : $"{Server} saw {Address} in {Rtt.TotalMilliseconds:0.0} ms";
}

/// <summary>Why a state change was believed: what set it off, over how many rounds, and the last round's answers.</summary>
public sealed record WanEvidence(string Trigger, int Rounds, IReadOnlyList<ProbeObservation> Observations)
{
    /// <summary>
    /// When a round last confirmed the previous state (null: never, e.g. at start). The change happened
    /// after it, so event time minus this bounds the detection latency from above.
    /// </summary>
    public DateTimeOffset? LastSteady { get; init; }

    /// <summary>
    /// An upper bound of how long it took to confirm a change seen at <paramref name="confirmedAt"/>: the time since
    /// the last round that still saw the old state (null: no such round). Not for a restore, whose last steady round
    /// is from before the loss.
    /// </summary>
    public TimeSpan? DetectionLatency(DateTimeOffset confirmedAt) =>
        LastSteady is { } steady ? (confirmedAt - steady < TimeSpan.Zero ? TimeSpan.Zero : confirmedAt - steady) : null;
}

/// <summary>What a set of answers agrees on; shared by the watcher and the one-shot commands.</summary>
public static class ProbeConsensus
{
    /// <summary>
    /// The address more than half of the answers (observations that carry an address) report, or null
    /// when none does; with the votes of the most reported address either way.
    /// </summary>
    public static (IPAddress? Address, int TopVotes) StrictMajority(IReadOnlyCollection<ProbeObservation> answered)
    {
        ArgumentNullException.ThrowIfNull(answered);
        var top = answered
            .Where(o => o.Address is not null)
            .GroupBy(o => o.Address!)
            .Select(g => (Address: g.Key, Votes: g.Count()))
            .OrderByDescending(x => x.Votes)
            .FirstOrDefault();
        return (top.Votes * 2 > answered.Count ? top.Address : null, top.Votes);
    }
}
