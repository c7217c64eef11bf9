using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Netlink;

namespace Rebound.Tests.Act.Router;

/// <summary>Snapshots of the lab router (lab/lab.sh): wan1 198.51.100.2 (ifindex 3), wan2 192.0.2.2 (ifindex 4), lan0 10.77.0.1.</summary>
internal static class RouterNetworks
{
    public static readonly IPAddress Wan1 = IPAddress.Parse("198.51.100.2");
    public static readonly IPAddress Wan2 = IPAddress.Parse("192.0.2.2");

    private static readonly LocalAddress[] s_addresses =
    [
        new(2, "lan0", IPAddress.Parse("10.77.0.1"), 24),
        new(3, "wan1", Wan1, 24),
        new(4, "wan2", Wan2, 24),
    ];

    public static LocalNetworkSnapshot OnWan1 { get; } = new(s_addresses, [Route("198.51.100.1", 3, "wan1")]);

    public static LocalNetworkSnapshot OnWan2 { get; } = new(s_addresses, [Route("192.0.2.1", 4, "wan2")]);

    /// <summary>Both default routes, wan1 preferred by metric (mwan3-style).</summary>
    public static LocalNetworkSnapshot BothWan1Preferred { get; } = new(s_addresses, [Route("198.51.100.1", 3, "wan1", 10), Route("192.0.2.1", 4, "wan2", 20)]);

    public static LocalNetworkSnapshot BothWan2Preferred { get; } = new(s_addresses, [Route("198.51.100.1", 3, "wan1", 30), Route("192.0.2.1", 4, "wan2", 20)]);

    /// <summary>wan1's default route gone (link down or tracking failure), wan2's backup route left.</summary>
    public static LocalNetworkSnapshot OnlyWan2Backup { get; } = new(s_addresses, [Route("192.0.2.1", 4, "wan2", 20)]);

    /// <summary>wan1 renumbered to .3 (PPPoE redial), route unchanged.</summary>
    public static LocalNetworkSnapshot Wan1Renumbered { get; } = new(
        [s_addresses[0], new(3, "wan1", IPAddress.Parse("198.51.100.3"), 24), s_addresses[2]],
        [Route("198.51.100.1", 3, "wan1")]);

    public static DefaultRoute Route(string gateway, int index, string name, int metric = 0) =>
        new(AddressFamily.InterNetwork, IPAddress.Parse(gateway), index, name, metric, null);
}
