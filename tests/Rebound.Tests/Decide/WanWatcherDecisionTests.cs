using System.Net;
using Rebound.Decide;
using Rebound.Sense.Netlink;
using Rebound.Tests.Fakes;
using static Rebound.Tests.Decide.WatcherHarness;

namespace Rebound.Tests.Decide;

/// <summary>What the watcher decides beyond STUN's answers: the interface's own IPv6 address, and how long detection took.</summary>
public sealed class WanWatcherDecisionTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static LocalNetworkSnapshot With(params (string Interface, string Address)[] addresses) =>
        new([.. addresses.Select((a, i) => new LocalAddress(i + 2, a.Interface, IPAddress.Parse(a.Address), 64))], []);

    [Fact]
    public async Task The_ipv6_interface_address_is_reported_after_the_first_view_and_after_each_local_change_that_moves_it()
    {
        var monitor = new FakeLocalNetworkMonitor { Current = With(("eth0", "fe80::1"), ("eth0", "2001:db8:1::10"), ("wlan0", "2001:db8:9::1")) };
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2) with { Ipv6Interface = "eth0" }, monitor);

        Assert.Collection(
            h.TakeEvents(),
            e => Assert.IsType<WatcherStarted>(e),
            e =>
            {
                var c = Assert.IsType<PublicAddressChanged>(e);
                Assert.Equal((IpFamily.Ipv6, null, IPAddress.Parse("2001:db8:1::10")), (c.Family, c.Old, c.New));
                Assert.Equal("interface eth0", c.Evidence.Trigger);
                Assert.Null(c.DetectionLatency);
            });

        // A new prefix: the local change, then the new address, both stamped when the change was seen.
        monitor.Current = With(("eth0", "2001:db8:2::10"));
        monitor.Publish("address 2001:db8:2::10/64 on eth0 added");
        await h.WaitIdleAsync();
        var events = h.TakeEvents();
        Assert.Collection(
            events,
            e => Assert.IsType<LocalNetworkChanged>(e),
            e => Assert.Equal((IPAddress.Parse("2001:db8:1::10"), IPAddress.Parse("2001:db8:2::10")), (Assert.IsType<PublicAddressChanged>(e).Old, ((PublicAddressChanged)e).New)));
        Assert.Equal(events[0].Time, events[1].Time);

        // Losing the address is not a new public address (a routine round first, so the wake-up is not held back).
        await h.NextRoundAsync();
        Assert.Empty(h.TakeEvents());
        monitor.Current = With(("eth0", "fe80::1"));
        monitor.Publish("address 2001:db8:2::10/64 on eth0 removed");
        await h.WaitIdleAsync();
        Assert.IsType<LocalNetworkChanged>(Assert.Single(h.TakeEvents()));
    }

    [Fact]
    public async Task Without_the_option_or_without_a_monitor_the_interface_is_not_looked_at()
    {
        var monitor = new FakeLocalNetworkMonitor { Current = With(("eth0", "2001:db8:1::10")) };
        await using (var h = new WatcherHarness())
        {
            h.Prober.AnswerAll("198.51.100.2", S1, S2);
            await h.StartAsync(Options(S1, S2), monitor);
            Assert.IsType<WatcherStarted>(Assert.Single(h.TakeEvents()));
        }

        await using (var h = new WatcherHarness())
        {
            h.Prober.AnswerAll("198.51.100.2", S1, S2);
            await h.StartAsync(Options(S1, S2) with { Ipv6Interface = "eth0" });
            Assert.IsType<WatcherStarted>(Assert.Single(h.TakeEvents()));
        }
    }

    [Fact]
    public async Task A_change_and_a_loss_carry_the_time_since_the_last_round_that_saw_the_old_state()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));
        h.TakeEvents();
        await h.NextRoundAsync(); // a steady round

        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        await h.NextRoundAsync();
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(Interval, change.DetectionLatency);

        h.Prober.AnswerAll(null, S1, S2);
        await h.NextRoundAsync();
        var lost = Assert.IsType<UpstreamLost>(Assert.Single(h.TakeEvents()));
        Assert.Equal(lost.Time - change.Time, lost.DetectionLatency);
        Assert.Equal(Interval, lost.DetectionLatency); // the round's server and the cross-check, one interval after the last steady round
    }

    [Fact]
    public void Detection_latency_is_never_negative_and_unknown_without_a_steady_round()
    {
        var at = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        Assert.Null(new WanEvidence("startup", 1, []).DetectionLatency(at));
        Assert.Equal(TimeSpan.Zero, new WanEvidence("x", 1, []) { LastSteady = at.AddSeconds(1) }.DetectionLatency(at));
        Assert.Equal(TimeSpan.FromSeconds(3), new WanEvidence("x", 1, []) { LastSteady = at.AddSeconds(-3) }.DetectionLatency(at));
    }
}
