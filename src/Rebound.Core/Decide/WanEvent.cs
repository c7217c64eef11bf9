using System.Net;
using Rebound.Record;
using Rebound.Sense.Sources;

namespace Rebound.Decide;

/// <summary>Something the watcher decided (its kind: <see cref="EventCatalogue"/>).</summary>
public abstract record WanEvent(DateTimeOffset Time) : ReboundEvent(Time);

/// <summary>The watcher settled its first view of the WAN.</summary>
public sealed record WatcherStarted(DateTimeOffset Time, IPAddress? Ipv4, IPAddress? Ipv6, IReadOnlyList<string> Servers)
    : WanEvent(Time);

/// <summary>A confirmed new public address. <see cref="Old"/> is null when none was known before.</summary>
public sealed record PublicAddressChanged(DateTimeOffset Time, IpFamily Family, IPAddress? Old, IPAddress New, WanEvidence Evidence)
    : WanEvent(Time)
{
    /// <summary>
    /// No source reports <see cref="Old"/> any more, but they disagree on the new address (a carrier NAT pooling
    /// arbitrarily): heal targets act, DNS waits for one address. <see cref="New"/> is then the most reported one.
    /// </summary>
    public bool Ambiguous { get; init; }

    /// <summary>Every address the sources reported while ambiguous; empty otherwise.</summary>
    public IReadOnlyList<IPAddress> Seen { get; init; } = [];

    /// <summary>How long the change took to be confirmed, at most: see <see cref="WanEvidence.DetectionLatency"/>.</summary>
    public TimeSpan? DetectionLatency => Evidence.DetectionLatency(Time);
}

/// <summary>A kind of source stopped answering while another kind still does: the address is tracked through what works.</summary>
public sealed record SourcesDegraded(DateTimeOffset Time, IpFamily Family, IReadOnlyList<AddressSourceKind> Working, IReadOnlyList<FailingSourceKind> Failing)
    : WanEvent(Time);

/// <summary>The kinds of <see cref="SourcesDegraded"/> answer again.</summary>
public sealed record SourcesRecovered(DateTimeOffset Time, IpFamily Family, IReadOnlyList<AddressSourceKind> Recovered)
    : WanEvent(Time);

/// <summary>A kind that fails, with the last errors of its sources.</summary>
public sealed record FailingSourceKind(AddressSourceKind Kind, string Errors);

/// <summary>No server of the family answered in enough consecutive rounds.</summary>
public sealed record UpstreamLost(DateTimeOffset Time, IpFamily Family, IPAddress? LastAddress, WanEvidence Evidence)
    : WanEvent(Time)
{
    /// <summary>How long the loss took to be confirmed, at most: see <see cref="WanEvidence.DetectionLatency"/>.</summary>
    public TimeSpan? DetectionLatency => Evidence.DetectionLatency(Time);
}

/// <summary>Servers answer again, and agree on <see cref="Address"/>.</summary>
public sealed record UpstreamRestored(DateTimeOffset Time, IpFamily Family, IPAddress Address, WanEvidence Evidence)
    : WanEvent(Time);

/// <summary>The host's own addresses, default routes or gateway MAC changed.</summary>
public sealed record LocalNetworkChanged(DateTimeOffset Time, IReadOnlyList<string> Differences)
    : WanEvent(Time);
