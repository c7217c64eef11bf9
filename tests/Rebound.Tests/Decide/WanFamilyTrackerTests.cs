using System.Net;
using Rebound.Decide;

namespace Rebound.Tests.Decide;

public sealed class WanFamilyTrackerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    private static ProbeObservation Saw(string server, string? address) =>
        new(server, IpFamily.Ipv4, address is null ? null : IPAddress.Parse(address), TimeSpan.FromMilliseconds(1), address is null ? "timeout" : null);

    private static WanFamilyTracker UpAt(string address, WanWatcherOptions? options = null)
    {
        var t = new WanFamilyTracker(IpFamily.Ipv4, options ?? new WanWatcherOptions());
        for (var i = 0; i < 5 && t.Status != WanStatus.Up; i++)
        {
            t.Apply([Saw("a", address), Saw("b", address)], "startup", Now, announce: false);
        }

        Assert.Equal(WanStatus.Up, t.Status);
        return t;
    }

    [Fact]
    public void Nothing_is_announced_before_start_but_state_is_kept()
    {
        var t = new WanFamilyTracker(IpFamily.Ipv4, new WanWatcherOptions());
        Assert.Empty(t.Apply([Saw("a", "198.51.100.2"), Saw("b", "198.51.100.2")], "startup", Now, announce: false));
        Assert.Equal(IPAddress.Parse("198.51.100.2"), t.Current);
    }

    [Fact]
    public void Evidence_names_the_last_round_that_still_saw_the_old_state()
    {
        var t = UpAt("198.51.100.2");
        t.Apply([Saw("a", "198.51.100.2"), Saw("b", "198.51.100.2")], "interval", Now.AddSeconds(1));
        Assert.Empty(t.Apply([Saw("a", "192.0.2.2"), Saw("b", null)], "interval", Now.AddSeconds(2)));
        var changed = Assert.IsType<PublicAddressChanged>(Assert.Single(t.Apply([Saw("a", "192.0.2.2"), Saw("b", null)], "confirmation", Now.AddSeconds(3))));
        Assert.Equal(Now.AddSeconds(1), changed.Evidence.LastSteady);

        // After the change, the new state is the steady one.
        Assert.Empty(t.Apply([Saw("a", null), Saw("b", null)], "interval", Now.AddSeconds(4)));
        var lost = Assert.IsType<UpstreamLost>(Assert.Single(t.Apply([Saw("a", null), Saw("b", null)], "confirmation", Now.AddSeconds(5))));
        Assert.Equal(Now.AddSeconds(3), lost.Evidence.LastSteady);
    }

    [Fact]
    public void Split_vote_between_two_servers_believes_neither()
    {
        var t = UpAt("198.51.100.2");
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(t.Apply([Saw("a", "192.0.2.2"), Saw("b", "198.51.100.2")], "interval", Now));
        }

        Assert.Equal(IPAddress.Parse("198.51.100.2"), t.Current);
    }

    [Fact]
    public void Confirm_servers_setting_is_honoured()
    {
        var t = UpAt("198.51.100.2", new WanWatcherOptions { ConfirmServers = 3, ConfirmRounds = 3 });
        Assert.Empty(t.Apply([Saw("a", "192.0.2.2"), Saw("b", "192.0.2.2")], "interval", Now));
        Assert.Empty(t.Apply([Saw("a", "192.0.2.2"), Saw("b", "192.0.2.2")], "confirmation", Now));
        var e = Assert.Single(t.Apply([Saw("a", "192.0.2.2"), Saw("b", "192.0.2.2")], "confirmation", Now));
        var change = Assert.IsType<PublicAddressChanged>(e);
        Assert.Equal("interval", change.Evidence.Trigger);
        Assert.Equal(3, change.Evidence.Rounds);
    }

    [Fact]
    public void A_different_candidate_restarts_the_count()
    {
        var t = UpAt("198.51.100.2", new WanWatcherOptions { ConfirmServers = 5, ConfirmRounds = 2 });
        Assert.Empty(t.Apply([Saw("a", "192.0.2.2")], "interval", Now));
        Assert.Empty(t.Apply([Saw("a", "192.0.2.3")], "confirmation", Now));
        Assert.Single(t.Apply([Saw("a", "192.0.2.3")], "confirmation", Now));
        Assert.Equal(IPAddress.Parse("192.0.2.3"), t.Current);
    }

    [Fact]
    public void A_failed_round_in_between_resets_the_candidate()
    {
        var t = UpAt("198.51.100.2", new WanWatcherOptions { ConfirmServers = 5, ConfirmRounds = 2, LossRounds = 3 });
        Assert.Empty(t.Apply([Saw("a", "192.0.2.2")], "interval", Now));
        Assert.Empty(t.Apply([Saw("a", null)], "confirmation", Now));
        Assert.Empty(t.Apply([Saw("a", "192.0.2.2")], "confirmation", Now));
        Assert.True(t.NeedsConfirmation);
    }

    [Fact]
    public void One_failed_server_does_not_count_against_a_confirmed_address()
    {
        var t = UpAt("198.51.100.2");
        Assert.Empty(t.Apply([Saw("a", null), Saw("b", "198.51.100.2")], "interval", Now));
        Assert.False(t.NeedsConfirmation);
        Assert.Equal(WanStatus.Up, t.Status);
    }

    [Fact]
    public void Loss_needs_the_configured_number_of_silent_rounds()
    {
        var t = UpAt("198.51.100.2", new WanWatcherOptions { LossRounds = 3 });
        Assert.Empty(t.Apply([Saw("a", null), Saw("b", null)], "interval", Now));
        Assert.Empty(t.Apply([Saw("a", null), Saw("b", null)], "confirmation", Now));
        var lost = Assert.IsType<UpstreamLost>(Assert.Single(t.Apply([Saw("a", null), Saw("b", null)], "confirmation", Now)));
        Assert.Equal(3, lost.Evidence.Rounds);
        Assert.Equal("interval", lost.Evidence.Trigger);
        Assert.Equal(WanStatus.Lost, t.Status);
        Assert.False(t.NeedsConfirmation);
    }

    [Fact]
    public void An_empty_round_is_no_evidence()
    {
        var t = UpAt("198.51.100.2");
        Assert.Empty(t.Apply([], "interval", Now));
        Assert.Equal(WanStatus.Up, t.Status);
    }
}
