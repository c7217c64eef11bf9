using System.Net;
using Rebound.Decide;
using Rebound.Sense.Netlink;

namespace Rebound.Tests.Decide;

public sealed class InterfaceIpv6SourceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    private static LocalNetworkSnapshot With(params (string Interface, string Address)[] addresses) =>
        new([.. addresses.Select((a, i) => new LocalAddress(i + 2, a.Interface, IPAddress.Parse(a.Address), 64))], []);

    [Fact]
    public void The_global_address_of_the_chosen_interface_is_the_public_IPv6_address()
    {
        var source = new InterfaceIpv6Source("eth0");
        var snapshot = With(("eth0", "fe80::1"), ("eth0", "fd00::5"), ("wlan0", "2001:db8:9::1"), ("eth0", "2001:db8:1::10"), ("eth0", "192.0.2.5"));

        var changed = source.Update(snapshot, Now);

        Assert.NotNull(changed);
        Assert.Equal(IpFamily.Ipv6, changed.Family);
        Assert.Null(changed.Old);
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), changed.New);
        Assert.Equal("interface eth0", changed.Evidence.Trigger);
        Assert.Null(source.Update(snapshot, Now)); // unchanged: nothing to report
    }

    [Fact]
    public void A_new_prefix_is_a_change_and_losing_the_address_is_not()
    {
        var source = new InterfaceIpv6Source("eth0");
        source.Update(With(("eth0", "2001:db8:1::10")), Now);

        Assert.Null(source.Update(With(("eth0", "fe80::1")), Now));
        var changed = source.Update(With(("eth0", "2001:db8:2::10")), Now);

        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), changed!.Old);
        Assert.Equal(IPAddress.Parse("2001:db8:2::10"), changed.New);
    }
}
