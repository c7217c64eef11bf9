using System.Net;
using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Stun;
using Rebound.Tests.Fakes;
using static Rebound.Tests.Decide.WatcherHarness;

namespace Rebound.Tests.Decide;

/// <summary>Inputs that must not move the state or flood the network: found in review, kept as regressions.</summary>
public sealed class WanWatcherRobustnessTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_server_given_twice_counts_once()
    {
        await using var h = new WatcherHarness();
        h.Prober.Answer(S1, "198.51.100.2");
        await h.StartAsync(Options(S1, S1));

        var started = Assert.IsType<WatcherStarted>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), started.Ipv4);
        Assert.Equal(2, h.Prober.Calls); // one server, a round plus its confirmation round
    }

    [Fact]
    public async Task A_resolver_outage_keeps_the_last_good_address_instead_of_reporting_loss()
    {
        const string Name = "stun.example.test:3478";
        var resolverUp = true;
        Task<(StunServer?, string?)> Resolve(StunTarget t, CancellationToken ct) =>
            Task.FromResult<(StunServer?, string?)>(resolverUp
                ? (new StunServer(t.Name, new IPEndPoint(IPAddress.Parse("203.0.113.10"), t.Port)), null)
                : (null, $"cannot resolve {t.Host}: Temporary failure in name resolution"));

        await using var h = new WatcherHarness();
        h.Prober.Answer(Name, "198.51.100.2");
        var options = new WanWatcherOptions
        {
            Targets = [new StunTarget("stun.example.test", 3478)],
            Interval = Interval,
            ResolveEvery = TimeSpan.FromSeconds(2),
        };
        await h.StartAsync(options, resolve: Resolve);
        h.TakeEvents();

        resolverUp = false;
        for (var i = 0; i < 10; i++)
        {
            await h.NextRoundAsync();
        }

        Assert.Empty(h.TakeEvents());
    }

    [Fact]
    public async Task A_name_that_never_resolved_counts_as_a_silent_server()
    {
        await using var h = new WatcherHarness();
        var options = new WanWatcherOptions { Targets = [new StunTarget("stun.example.test", 3478)], Interval = Interval };
        await h.StartAsync(options, resolve: (t, _) => Task.FromResult<(StunServer?, string?)>((null, "cannot resolve")));

        var events = h.TakeEvents();
        Assert.IsType<WatcherStarted>(events[0]);
        var lost = Assert.IsType<UpstreamLost>(events[1]);
        Assert.Equal("cannot resolve", Assert.Single(lost.Evidence.Observations).Error);
        Assert.Equal(0, h.Prober.Calls);
    }

    [Fact]
    public async Task A_local_change_during_start_up_is_not_printed_before_started()
    {
        var monitor = new FakeLocalNetworkMonitor();
        monitor.Publish("address 10.77.0.2/24 on eth0 added");
        await using var h = new WatcherHarness();
        h.Prober.Answer(S1, "198.51.100.2");
        await h.StartAsync(Options(S1), monitor);

        var events = h.TakeEvents();
        Assert.IsType<WatcherStarted>(events[0]);
        Assert.DoesNotContain(events, e => e is LocalNetworkChanged);
    }

    [Fact]
    public async Task A_flood_of_router_announcements_is_held_to_one_round_per_spacing()
    {
        var hints = new FakeRouterHintSource();
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        await h.StartAsync(Options(TimeSpan.FromSeconds(30), S1, S2), hints: hints);
        h.TakeEvents();
        var calls = h.Prober.Calls;

        hints.Announce("203.0.113.66");
        await h.WaitIdleAsync();          // the first wake-up probes at once
        Assert.Equal(calls + 2, h.Prober.Calls);

        for (var i = 0; i < 49; i++)
        {
            hints.Announce("203.0.113.66");
        }

        await h.WaitIdleAsync();          // the rest wait out the spacing, with no time passing
        Assert.Equal(calls + 2, h.Prober.Calls);
        Assert.Equal(TimeSpan.FromSeconds(1), h.NextDelay);
        await hints.DrainedAsync();

        await h.NextRoundAsync();         // one more round covers all 49
        Assert.Equal(calls + 4, h.Prober.Calls);
        Assert.Equal(TimeSpan.FromSeconds(30), h.NextDelay);
        Assert.Empty(h.TakeEvents());
    }
}
