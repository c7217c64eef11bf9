using System.Net;
using System.Net.Sockets;
using Rebound.Act.Heal;
using Rebound.Record;
using Rebound.Decide;
using Rebound.Sense.Netlink;

namespace Rebound.Tests.Act.Heal;

public sealed class HealTriggerSourceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);
    private static readonly WanEvidence Evidence = new("probe", 2, []);

    private static LocalNetworkSnapshot Net(string gateway) =>
        new([], [new DefaultRoute(AddressFamily.InterNetwork, IPAddress.Parse(gateway), 2, "eth0", 100, null)]);

    [Fact]
    public void Address_changes_restores_and_local_changes_trigger_while_a_lost_upstream_only_updates_state()
    {
        var source = new HealTriggerSource();
        var a = Net("192.0.2.1");
        var b = Net("198.51.100.1");

        var startup = source.OnWanEvent(new WatcherStarted(T0, IPAddress.Parse("203.0.113.5"), null, ["s"]), a);
        Assert.Equal(("startup", "203.0.113.5", true), (startup!.Reason.ToName(), startup.PublicIpv4!.ToString(), startup.UpstreamUp));
        Assert.Same(a, startup.LocalNetwork);

        Assert.Null(source.OnWanEvent(new UpstreamLost(T0.AddSeconds(1), IpFamily.Ipv4, IPAddress.Parse("203.0.113.5"), Evidence), a));
        Assert.False(source.UpstreamUp);
        var periodic = source.Periodic(T0.AddSeconds(2));
        Assert.Equal(("periodic", false, null), (periodic.Reason.ToName(), periodic.UpstreamUp, periodic.PublicIpv4));
        Assert.Null(periodic.Event);

        var local = source.OnWanEvent(new LocalNetworkChanged(T0.AddSeconds(3), ["default route changed"]), b);
        Assert.Equal("local-network-changed", local!.Reason.ToName());
        Assert.Equal((b, a), (local.LocalNetwork, local.PreviousLocalNetwork));
        Assert.False(local.UpstreamUp);

        var restored = source.OnWanEvent(new UpstreamRestored(T0.AddSeconds(4), IpFamily.Ipv4, IPAddress.Parse("198.51.100.9"), Evidence), b);
        Assert.Equal(("upstream-restored", "198.51.100.9", true), (restored!.Reason.ToName(), restored.PublicIpv4!.ToString(), restored.UpstreamUp));
        Assert.Equal(T0.AddSeconds(4), restored.DetectedAt);

        var changed = source.OnWanEvent(new PublicAddressChanged(T0.AddSeconds(5), IpFamily.Ipv6, null, IPAddress.Parse("2001:db8::5"), Evidence), null);
        Assert.Equal(("public-address-changed", "198.51.100.9", "2001:db8::5"), (changed!.Reason.ToName(), changed.PublicIpv4!.ToString(), changed.PublicIpv6!.ToString()));
        Assert.IsType<PublicAddressChanged>(changed.Event);
        // Without a new snapshot the last one stays current.
        Assert.Same(b, changed.LocalNetwork);
    }

    [Fact]
    public void The_upstream_is_up_while_any_reported_family_still_answers()
    {
        var source = new HealTriggerSource();
        Assert.True(source.UpstreamUp);
        source.OnWanEvent(new WatcherStarted(T0, IPAddress.Parse("203.0.113.5"), IPAddress.Parse("2001:db8::5"), []), null);
        source.OnWanEvent(new UpstreamLost(T0, IpFamily.Ipv6, null, Evidence), null);
        Assert.True(source.UpstreamUp);
        Assert.Null(source.Periodic(T0).PublicIpv6);
        source.OnWanEvent(new UpstreamLost(T0, IpFamily.Ipv4, null, Evidence), null);
        Assert.False(source.UpstreamUp);
    }
}
