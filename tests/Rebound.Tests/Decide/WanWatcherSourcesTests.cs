using System.Net;
using Rebound.Decide;
using Rebound.Sense.Sources;
using static Rebound.Tests.Decide.WatcherHarness;

namespace Rebound.Tests.Decide;

/// <summary>Rotation, other kinds of sources, ambiguous answers and degraded kinds, on fake time.</summary>
public sealed class WanWatcherSourcesTests
{
    private const string Http = "http://203.0.113.80/";
    private const string Dns = "dns:whoami.pdns.test@203.0.113.54/A";
    private const string Gateway = "natpmp:10.77.0.1";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Routine_rounds_ask_one_STUN_server_in_turn_and_http_only_when_due()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2, Http);
        await h.StartAsync(Options(S1, S2, Http));
        h.TakeEvents();
        var before = (S1: h.Prober.CallsBy[S1], S2: h.Prober.CallsBy[S2], Http: h.Sources[Http].Calls);

        for (var i = 0; i < 10; i++)
        {
            await h.NextRoundAsync();
        }

        Assert.Empty(h.TakeEvents());
        Assert.Equal(5, h.Prober.CallsBy[S1] - before.S1);
        Assert.Equal(5, h.Prober.CallsBy[S2] - before.S2);
        Assert.Equal(0, h.Sources[Http].Calls - before.Http); // asked at start; due again only after 10 minutes
    }

    [Fact]
    public async Task A_change_seen_by_stun_is_confirmed_by_an_http_source_of_another_kind()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, Http);
        await h.StartAsync(Options(S1, Http));
        h.TakeEvents();

        h.Prober.AnswerAll("192.0.2.2", S1, Http);
        await h.NextRoundAsync();
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);
        Assert.False(change.Ambiguous);
        Assert.Equal(AddressSourceKind.Http, Assert.Single(change.Evidence.Observations).Kind);
    }

    [Fact]
    public async Task Pooled_answers_with_no_source_on_the_old_address_are_an_ambiguous_change_once()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2, Http);
        await h.StartAsync(Options(S1, S2, Http));
        h.TakeEvents();

        // A carrier NAT with arbitrary pooling: each server sees another address.
        h.Prober.Answer(S1, "192.0.2.50");
        h.Prober.Answer(S2, "192.0.2.51");
        h.Prober.Answer(Http, "192.0.2.120");
        await h.NextRoundAndSettleAsync(Interval);
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.True(change.Ambiguous);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), change.Old);
        Assert.Equal(["192.0.2.120", "192.0.2.50", "192.0.2.51"], change.Seen.Select(a => a.ToString()));

        // The same pool again is no news, and costs one question per round.
        var calls = h.Prober.Calls;
        for (var i = 0; i < 4; i++)
        {
            await h.NextRoundAsync();
        }

        Assert.Empty(h.TakeEvents());
        Assert.Equal(calls + 4, h.Prober.Calls);

        // Back on one address (failback): an unambiguous change, from the last unambiguous address.
        h.Prober.AnswerAll("198.51.100.2", S1, S2, Http);
        await h.NextRoundAndSettleAsync(Interval);
        var back = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.False(back.Ambiguous);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), back.New);
    }

    [Fact]
    public async Task One_liar_among_honest_sources_of_several_kinds_moves_nothing()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2, Http);
        await h.StartAsync(Options(S1, S2, Http));
        h.TakeEvents();

        h.Prober.Answer(S1, "192.0.2.99");
        for (var i = 0; i < 6; i++)
        {
            await h.NextRoundAndSettleAsync(Interval);
        }

        Assert.Empty(h.TakeEvents());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task One_lying_stun_server_is_outvoted_whichever_server_a_round_asks_first_and_its_claim_is_in_the_evidence(int steadyRounds)
    {
        const string Liar = "203.0.113.16:3478";
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        h.Prober.Answer(Liar, "203.0.113.99");
        await h.StartAsync(Options(S1, S2, Liar));
        h.TakeEvents();
        for (var i = 0; i < steadyRounds + 3; i++) // moves the rotation: each case starts the failover with another server
        {
            await h.NextRoundAndSettleAsync(Interval);
        }

        Assert.Empty(h.TakeEvents());

        foreach (var address in new[] { "192.0.2.2", "198.51.100.2" })
        {
            h.Prober.AnswerAll(address, S1, S2);
            await h.NextRoundAndSettleAsync(Interval);
            var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
            Assert.False(change.Ambiguous);
            Assert.Equal(IPAddress.Parse(address), change.New);
            Assert.Contains(change.Evidence.Observations, o => o.Server == Liar && IPAddress.Parse("203.0.113.99").Equals(o.Address));
        }
    }

    [Fact]
    public async Task A_failover_onto_a_300_ms_path_after_a_fast_one_is_a_change_not_an_outage()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2);
        h.Prober.Rtt(TimeSpan.FromMilliseconds(1), S1, S2);
        await h.StartAsync(Options(S1, S2));
        for (var i = 0; i < 6; i++)
        {
            await h.NextRoundAndSettleAsync(Interval); // the adaptive timeouts come down to their 250 ms floor
        }

        h.TakeEvents();
        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        h.Prober.Rtt(TimeSpan.FromMilliseconds(300), S1, S2);
        var events = new List<WanEvent>();
        for (var i = 0; i < 6; i++)
        {
            await h.NextRoundAndSettleAsync(Interval);
            events.AddRange(h.TakeEvents());
        }

        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(events));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);
    }

    [Fact]
    public async Task Blocked_stun_is_sources_degraded_once_not_an_outage_and_recovers_once()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2, Http);
        await h.StartAsync(Options(S1, S2, Http));
        h.TakeEvents();

        h.Prober.AnswerAll(null, S1, S2);
        var events = new List<WanEvent>();
        for (var i = 0; i < 5; i++)
        {
            await h.NextRoundAndSettleAsync(Interval);
            events.AddRange(h.TakeEvents());
        }

        var degraded = Assert.IsType<SourcesDegraded>(Assert.Single(events));
        Assert.Equal([AddressSourceKind.Http], degraded.Working);
        Assert.Equal(AddressSourceKind.Stun, Assert.Single(degraded.Failing).Kind);

        // While degraded the address is followed through HTTP, every round.
        h.Prober.Answer(Http, "192.0.2.2");
        await h.NextRoundAndSettleAsync(Interval);
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);

        // STUN is tried again now and then; when it answers, recovered once.
        h.Prober.AnswerAll("192.0.2.2", S1, S2);
        for (var i = 0; i < new WanWatcherOptions().RetryFailingEvery + 1; i++)
        {
            await h.NextRoundAndSettleAsync(Interval);
            events.AddRange(h.TakeEvents());
        }

        var recovered = Assert.IsType<SourcesRecovered>(Assert.Single(events.Skip(1)));
        Assert.Equal([AddressSourceKind.Stun], recovered.Recovered);
    }

    [Fact]
    public async Task Lost_only_when_every_kind_is_silent()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, Dns);
        await h.StartAsync(Options(S1, Dns));
        h.TakeEvents();

        h.Prober.AnswerAll(null, S1, Dns);
        await h.NextRoundAndSettleAsync(Interval);
        var lost = Assert.IsType<UpstreamLost>(Assert.Single(h.TakeEvents()));
        Assert.Contains(lost.Evidence.Observations, o => o.Kind == AddressSourceKind.Dns);
    }

    [Fact]
    public async Task A_gateway_hint_never_decides_alone_but_corroborates()
    {
        await using var h = new WatcherHarness();
        h.Prober.AnswerAll("198.51.100.2", S1, S2, Gateway);
        await h.StartAsync(Options(S1, S2, Gateway) with { ConfirmRounds = 3 });
        h.TakeEvents();

        // The gateway alone reports a new address: a reason to look, nothing more.
        h.Prober.Answer(Gateway, "192.0.2.2");
        await h.NextRoundAndSettleAsync(Interval);
        Assert.Empty(h.TakeEvents());

        // STUN (one server) and the gateway agree: two votes of two kinds confirm at once.
        h.Prober.AnswerAll(null, S2);
        h.Prober.Answer(S1, "192.0.2.2");
        await h.NextRoundAndSettleAsync(Interval);
        var change = Assert.IsType<PublicAddressChanged>(Assert.Single(h.TakeEvents()));
        Assert.Equal(IPAddress.Parse("192.0.2.2"), change.New);
    }

    [Fact]
    public void Gateway_hints_alone_are_refused()
    {
        Assert.NotNull(Options(Gateway).Validate());
        Assert.Null(Options(Gateway, S1).Validate());
    }
}
