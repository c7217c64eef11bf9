using System.Net;

namespace Rebound.Decide;

/// <summary>Something the watcher decided. <see cref="Name"/> is the stable name used in JSON output.</summary>
public abstract record WanEvent(DateTimeOffset Time)
{
    public abstract string Name { get; }
}

/// <summary>The watcher settled its first view of the WAN.</summary>
public sealed record WatcherStarted(DateTimeOffset Time, IPAddress? Ipv4, IPAddress? Ipv6, IReadOnlyList<string> Servers)
    : WanEvent(Time)
{
    public override string Name => "started";
}

/// <summary>A confirmed new public address. <see cref="Old"/> is null when none was known before.</summary>
public sealed record PublicAddressChanged(DateTimeOffset Time, IpFamily Family, IPAddress? Old, IPAddress New, WanEvidence Evidence)
    : WanEvent(Time)
{
    public override string Name => "public-address-changed";
}

/// <summary>No server of the family answered in enough consecutive rounds.</summary>
public sealed record UpstreamLost(DateTimeOffset Time, IpFamily Family, IPAddress? LastAddress, WanEvidence Evidence)
    : WanEvent(Time)
{
    public override string Name => "upstream-lost";
}

/// <summary>Servers answer again, and agree on <see cref="Address"/>.</summary>
public sealed record UpstreamRestored(DateTimeOffset Time, IpFamily Family, IPAddress Address, WanEvidence Evidence)
    : WanEvent(Time)
{
    public override string Name => "upstream-restored";
}

/// <summary>The host's own addresses, default routes or gateway MAC changed.</summary>
public sealed record LocalNetworkChanged(DateTimeOffset Time, IReadOnlyList<string> Differences)
    : WanEvent(Time)
{
    public override string Name => "local-network-changed";
}
