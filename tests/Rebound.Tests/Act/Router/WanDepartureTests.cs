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
    public void Metric_flip_between_two_default_routes_counts_as_a_switch()
    {
        var departed = Assert.Single(WanDeparture.Find(BothWan1Preferred, BothWan2Preferred));

        Assert.Equal(Wan1, departed.Address);
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
    public void Live_addresses_are_those_of_the_current_primary_route_interface()
    {
        Assert.Equal([Wan2], WanDeparture.LiveAddresses(BothWan2Preferred));
        Assert.Equal([IPAddress.Parse("198.51.100.3")], WanDeparture.LiveAddresses(Wan1Renumbered));
    }
}
