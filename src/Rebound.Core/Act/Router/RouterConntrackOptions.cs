using System.Net;
using Rebound.Sense.Uplinks;

namespace Rebound.Act.Router;

/// <summary>
/// Router mode's settings. The <c>[router]</c> table reads straight into these (<see cref="RouterDefinition"/>), so each
/// default is written here only.
/// </summary>
public sealed class RouterConntrackOptions
{
    /// <summary>Delete the conntrack entries translated to a departed WAN; false: router mode without a heal target.</summary>
    public bool FlushConntrack { get; init; } = true;

    /// <summary>Restrict departed-WAN detection to these interfaces; empty: any interface that carried a default route.</summary>
    public IReadOnlyList<string> WanInterfaces { get; init; } = [];

    /// <summary>Addresses whose entries are never deleted, whatever the routes say.</summary>
    public IReadOnlyList<IPAddress> Keep { get; init; } = [];

    /// <summary>The connection mark of each WAN's policy routing, by interface (<c>[[router.wan]] mark</c>); read from the ip rules when absent.</summary>
    public IReadOnlyDictionary<string, WanMark> Marks { get; init; } = new Dictionary<string, WanMark>(StringComparer.Ordinal);

    /// <summary>How each WAN is probed on its own (marks from <c>[[router.wan]]</c>).</summary>
    public UplinkMonitorOptions Uplinks { get; init; } = new();

    public TimeSpan VerifyDeadline { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
