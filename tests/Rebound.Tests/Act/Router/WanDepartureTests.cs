using System.Net;
using Rebound.Act.Router;
using Rebound.Sense.Netlink;
using static Rebound.Tests.Act.Router.RouterNetworks;

namespace Rebound.Tests.Act.Router;

public sealed class WanDepartureTests
{
    [Fact]
    public void Default_route_moving_to_wan2_departs_wan1s_address_only()
    {
        var departed = Assert.Single(WanDeparture.Find(OnWan1, OnWan2));

        Assert.Equal(Wan1, departed.Address);
        Assert.Equal("wan1", departed.Interface);
        Assert.Equal("default ipv4 via 198.51.100.1 dev wan1 -> via 192.0.2.1 dev wan2", departed.Why);
    }

    [Fact]
    public void Metric_flip_between_two_default_routes_departs_nothing_because_both_stay_live()
    {
        // Policy routing (mwan3, balanced gateway groups) may still send flows out of the higher-metric WAN.
        Assert.Empty(WanDeparture.Find(BothWan1Preferred, BothWan2Preferred));
    }

    [Fact]
    public void Failback_keeps_the_backup_wan_live_while_it_still_has_a_default_route()
    {
        // wan1 failed and came back: the primary moves wan2 -> wan1, but wan2 still carries its default route.
        Assert.Empty(WanDeparture.Find(OnlyWan2Backup, BothWan1Preferred));
    }

    [Fact]
    public void Backup_wan_losing_its_default_route_departs_while_the_primary_stays()
    {
        var wan1Only = new LocalNetworkSnapshot(BothWan1Preferred.Addresses, [BothWan1Preferred.DefaultRoutes[0]]);

        var departed = Assert.Single(WanDeparture.Find(BothWan1Preferred, wan1Only));

        Assert.Equal(Wan2, departed.Address);
        Assert.Equal("default ipv4 via 192.0.2.1 dev wan2 removed", departed.Why);
    }

    [Fact]
    public void Primary_losing_its_default_route_departs_even_with_a_backup_route_present()
    {
        var departed = Assert.Single(WanDeparture.Find(BothWan1Preferred, OnlyWan2Backup));

        Assert.Equal(Wan1, departed.Address);
        Assert.Equal("default ipv4 via 198.51.100.1 dev wan1 -> via 192.0.2.1 dev wan2", departed.Why);
    }

    [Fact]
    public void Default_route_vanishing_departs_its_interface()
    {
        var none = new LocalNetworkSnapshot(OnWan1.Addresses, []);

        Assert.Equal("default ipv4 via 198.51.100.1 dev wan1 -> none", Assert.Single(WanDeparture.Find(OnWan1, none)).Why);
    }

    [Fact]
    public void Address_removed_from_the_wan_departs_even_when_the_route_stays()
    {
        var departed = Assert.Single(WanDeparture.Find(OnWan1, Wan1Renumbered));

        Assert.Equal(Wan1, departed.Address);
        Assert.Equal("address 198.51.100.2 removed from wan1", departed.Why);
    }

    [Fact]
    public void Nothing_departs_without_a_change_or_without_a_previous_snapshot()
    {
        Assert.Empty(WanDeparture.Find(OnWan1, OnWan1));
        Assert.Empty(WanDeparture.Find(null, OnWan2));
    }

    [Fact]
    public void Gateway_change_on_the_same_interface_keeps_its_address_live()
    {
        var otherGateway = new LocalNetworkSnapshot(OnWan1.Addresses, [Route("198.51.100.254", 3, "wan1")]);

        Assert.Empty(WanDeparture.Find(OnWan1, otherGateway));
    }

    [Fact]
    public void Configured_wan_interfaces_restrict_what_may_depart()
    {
        Assert.Empty(WanDeparture.Find(OnWan1, OnWan2, ["wan2", "ppp0"]));
        Assert.Single(WanDeparture.Find(OnWan1, OnWan2, ["wan1"]));
    }

    [Fact]
    public void Live_addresses_are_those_of_every_interface_with_a_default_route_of_their_family()
    {
        Assert.Equal([Wan2, Wan1], WanDeparture.LiveAddresses(BothWan2Preferred).OrderBy(a => a.ToString(), StringComparer.Ordinal));
        Assert.Equal([IPAddress.Parse("198.51.100.3")], WanDeparture.LiveAddresses(Wan1Renumbered));

        // An IPv6 default route on wan1 keeps wan1's IPv6 address live, not its IPv4 one.
        var v6 = IPAddress.Parse("2001:db8::2");
        var snapshot = new LocalNetworkSnapshot(
            [.. OnWan2.Addresses, new LocalAddress(3, "wan1", v6, 64)],
            [.. OnWan2.DefaultRoutes, new DefaultRoute(System.Net.Sockets.AddressFamily.InterNetworkV6, IPAddress.Parse("fe80::1"), 3, "wan1", 1024, null)]);
        Assert.Equal([Wan2, v6], WanDeparture.LiveAddresses(snapshot).OrderBy(a => a.AddressFamily));
    }
}
