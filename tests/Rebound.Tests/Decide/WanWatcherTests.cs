using System.Net;
using Rebound.Decide;
using Rebound.Tests.Fakes;
using static Rebound.Tests.Decide.WatcherHarness;

namespace Rebound.Tests.Decide;

public sealed class WanWatcherTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Start_reports_the_address_both_servers_agree_on()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));

        var started = Assert.IsType<WatcherStarted>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), started.Ipv4);
        Assert.Null(started.Ipv6);
        Assert.Equal(Interval, h.NextDelay);
    }

    [Fact]
    public async Task Two_servers_agreeing_confirm_a_change_in_one_round()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));
        h.TakeEvents();

        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        var roundAt = h.Time.GetUtcNow() + h.NextDelay;
        await h.NextRoundAsync();

        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IpFamily.Ipv4, change.Family);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), change.Old);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);
        Assert.Equal(roundAt, change.Time);
        Assert.Equal("interval", change.Evidence.Trigger);

        // One server per round; the other is asked at once because the answer differs: two rounds of evidence.
        Assert.Equal(2, change.Evidence.Rounds);
        Assert.Equal(S2, Assert.Single(change.Evidence.Observations).Server);
    }

    [Fact]
    public async Task A_single_bogus_reply_never_flips_the_state()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));
        h.TakeEvents();

        // One server lies persistently; the other keeps telling the truth.
        h.Prober.Answer(S1, "203.0.113.66");
        for (var i = 0; i < 30; i++)
        {
            await h.NextRoundAsync();
        }

        Assert.Empty(h.TakeEvents());
    }

    [Fact]
    public async Task A_lone_answer_is_confirmed_by_an_immediate_second_round()
    {
        await using var h = new WatcherHarness();
        h.Prober.Answer(S1, "198.51.100.2");
        await h.StartAsync(Options(S1));
        h.TakeEvents();

        h.Prober.Answer(S1, "192.0.2.2");
        await h.NextRoundAsync();
        Assert.Empty(h.TakeEvents());
        Assert.True(h.NextDelay < Interval, "an unconfirmed change must start a confirmation burst");

        await h.NextRoundAsync();
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);
        Assert.Equal(2, change.Evidence.Rounds);
        Assert.Equal(Interval, h.NextDelay);
    }

    [Fact]
    public async Task A_one_round_glitch_from_a_single_server_is_not_reported()
    {
        await using var h = new WatcherHarness();
        h.Prober.Answer(S1, "198.51.100.2");
        await h.StartAsync(Options(S1));
        h.TakeEvents();

        h.Prober.Answer(S1, "192.0.2.99");
        await h.NextRoundAsync();
        h.Prober.Answer(S1, "198.51.100.2");
        await h.SettleAsync(Interval);
        Assert.Equal(Interval, h.NextDelay);

        Assert.Empty(h.TakeEvents());
    }

    [Fact]
    public async Task Silence_is_confirmed_before_upstream_lost_and_restored_after()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));
        h.TakeEvents();

        // The server of the round is silent, and so is the other one asked at once: two silent rounds, lost.
        h.Prober.AnswerAll(null, S1, S2);
        await h.NextRoundAsync();
        var lost = Assert.IsType<UpstreamLost>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), lost.LastAddress);
        Assert.Equal(2, lost.Evidence.Rounds);
        Assert.Equal(Interval, h.NextDelay);

        // Still down: no repeats.
        await h.NextRoundAsync();
        await h.NextRoundAsync();
        Assert.Empty(h.TakeEvents());

        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.NextRoundAsync();
        var restored = Assert.IsType<UpstreamRestored>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), restored.Address);
    }

    [Fact]
    public async Task Restored_on_a_new_address_reports_both()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));
        h.Prober.AnswerAll(null, S1, S2);
        await h.NextRoundAndSettleAsync(Interval);
        Assert.IsType<UpstreamLost>(h.TakeEvents()[^1]);

        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        await h.NextRoundAsync();

        var events = h.TakeEvents();
        Assert.Collection(
            events,
            e => Assert.Equal(IPAddress.Parse("192.0.2.2"), Assert.IsType<UpstreamRestored>(e).Address),
            e =>
            {
                var c = Assert.IsType<PublicAddressChanged>(e);
                Assert.Equal(IPAddress.Parse("198.51.100.2"), c.Old);
                Assert.Equal(IPAddress.Parse("192.0.2.2"), c.New);
            });
    }

    [Fact]
    public async Task An_offline_start_reports_started_then_upstream_lost()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll(null, S1, S2);
        await h.StartAsync(Options(S1, S2));

        var events = h.TakeEvents();
        Assert.Collection(
            events,
            e => Assert.Null(Assert.IsType<WatcherStarted>(e).Ipv4),
            e => Assert.Equal(IpFamily.Ipv4, Assert.IsType<UpstreamLost>(e).Family));
    }

    [Fact]
    public async Task A_local_change_is_reported_and_probed_at_once()
    {
        var monitor = new FakeLocalNetworkMonitor();
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(TimeSpan.FromSeconds(30), S1, S2), monitor);
        h.TakeEvents();
        var calls = h.Prober.Calls;
        var before = h.Time.GetUtcNow();

        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        monitor.Publish("default ipv4 route via 10.77.0.1 dev eth0 added");
        await h.WaitIdleAsync();

        var events = h.TakeEvents();
        Assert.Collection(
            events,
            e => Assert.Equal("default ipv4 route via 10.77.0.1 dev eth0 added", Assert.Single(Assert.IsType<LocalNetworkChanged>(e).Differences)),
            e =>
            {
                var c = Assert.IsType<PublicAddressChanged>(e);
                Assert.Equal("local-network-changed", c.Evidence.Trigger);
                Assert.Equal(before, c.Time);
            });
        Assert.Equal(calls + 2, h.Prober.Calls);
    }

    [Fact]
    public async Task A_router_announcement_wakes_the_watcher_but_only_STUN_moves_the_state()
    {
        var hints = new FakeRouterHintSource();
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(TimeSpan.FromSeconds(30), S1, S2), hints: hints);
        h.TakeEvents();

        // A hint that STUN does not confirm changes nothing.
        hints.Announce("203.0.113.66");
        await h.WaitIdleAsync();
        Assert.Empty(h.TakeEvents());

        // A second announcement within a second waits out the wake-up spacing, then probes.
        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        hints.Announce("192.0.2.2");
        await h.WaitIdleAsync();
        Assert.Empty(h.TakeEvents());
        Assert.Equal(TimeSpan.FromSeconds(1), h.NextDelay);
        await h.NextRoundAsync();
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.StartsWith("router-announcement", change.Evidence.Trigger, StringComparison.Ordinal);
        Assert.Contains("192.0.2.2", change.Evidence.Trigger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disagreeing_servers_burst_a_bounded_number_of_times()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(S1, S2));
        h.TakeEvents();

        h.Prober.Answer(S1, "192.0.2.2");
        var callsBefore = h.Prober.Calls;
        await h.NextRoundAsync();
        var bursts = 0;
        while (h.NextDelay < Interval)
        {
            await h.NextRoundAsync();
            bursts++;
            Assert.True(bursts <= 10, "burst must end");
        }

        // S1 (the server of this round) lies; the cross-check with S2 still sees the old address, so nothing
        // moves and no burst follows: the liar costs one extra question.
        Assert.Equal(0, bursts);
        Assert.Equal(callsBefore + 2, h.Prober.Calls);
        Assert.Empty(h.TakeEvents());
    }

    [Fact]
    public async Task Three_servers_outvote_one_liar_and_a_majority_change_is_confirmed()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2, S3);
        await h.StartAsync(Options(S1, S2, S3));
        h.TakeEvents();

        h.Prober.Answer(S3, "203.0.113.66");
        await h.NextRoundAsync();
        Assert.Empty(h.TakeEvents());

        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        await h.NextRoundAsync();
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);
    }

    [Fact]
    public async Task Families_are_tracked_separately()
    {
        const string V6 = "[2001:db8::10]:3478";
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        h.Prober.Answer("[2001:db8::10]:3478", "2001:db8:1::2");
        await h.StartAsync(Options(S1, S2, V6));
        var started = Assert.IsType<WatcherStarted>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), started.Ipv4);
        Assert.Equal(IPAddress.Parse("2001:db8:1::2"), started.Ipv6);

        h.Prober.Answer(V6, null);
        await h.NextRoundAndSettleAsync(Interval);
        var lost = Assert.IsType<UpstreamLost>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IpFamily.Ipv6, lost.Family);
    }
}
