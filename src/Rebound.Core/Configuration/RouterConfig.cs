using System.Net;
using Rebound.Act.Router;

namespace Rebound.Configuration;

/// <summary>
/// The <c>[router]</c> table: Rebound runs on the router itself. Its presence turns router mode on; with
/// <see cref="FlushConntrack"/> the conntrack entries translated to a departed WAN are deleted on a WAN switch.
/// </summary>
public sealed record RouterConfig(bool FlushConntrack, IReadOnlyList<string> WanInterfaces, IReadOnlyList<IPAddress> Keep)
{
    /// <summary>The <c>check-config</c> summary line.</summary>
    public string Describe() =>
        $"router: {(FlushConntrack ? "delete conntrack entries translated to a departed WAN" : "conntrack flushing off")}"
        + $"; WAN interfaces {(WanInterfaces.Count == 0 ? "any with a default route" : string.Join(", ", WanInterfaces))}"
        + (Keep.Count == 0 ? "" : $"; never touching {string.Join(", ", Keep)}");

    public RouterConntrackOptions ToOptions() => new() { WanInterfaces = WanInterfaces, Keep = Keep };

    /// <summary>The heal target for this configuration: ctnetlink in the agent's namespace, the conntrack tool as a fallback.</summary>
    public RouterConntrackTarget CreateTarget(TimeProvider timeProvider) =>
        new(new FallbackConntrackTable(new NetlinkConntrackTable(timeProvider: timeProvider), new ConntrackToolTable(timeProvider: timeProvider)), ToOptions());
}
