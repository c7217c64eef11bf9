using System.Net;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Record.Status;
using Rebound.Sense.Sources;
using Rebound.Sense.Uplinks;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Tests.Record.Status;

public sealed class StatusHistoryTests
{
    private static StatusHistory Of(params RecordedEvent[] events)
    {
        var history = new StatusHistory();
        foreach (var e in events)
            history.OnEvent(e);
        return history;
    }

    private static RecordedEvent One(ReboundEvent e) => Assert.Single(EventCatalogue.Record(e));

    private static IReadOnlyList<HealthChange> ChangesOf(StatusHistory history, string subject) =>
        Assert.Single(history.HealthLines(), l => l.Subject == subject).Changes;

    [Fact]
    public void Health_follows_the_events_of_each_upstream_uplink_and_target()
    {
        var history = Of(
            Started(T0, "198.51.100.7"),
            One(new UplinkUp(T0, "wan1", IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), "2 servers")),
            One(new UplinkDown(T0.AddSeconds(10), "wan1", IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), "no answer")),
            Lost(T0.AddSeconds(10), "198.51.100.7"),
            Restored(T0.AddSeconds(20), "198.51.100.7"),
            HealStarted(T0.AddSeconds(20), "wireguard:wg0"),
            HealStep(T0.AddSeconds(21), "wireguard:wg0", "reresolve", "done"),
            HealVerified(T0.AddSeconds(22), "wireguard:wg0", "reresolve", 2000),
            HealFailed(T0.AddSeconds(30), "tailscale", "no rung verified"),
            DdnsFailed(T0.AddSeconds(21), "ddns[0]", "rfc2136", "refused"),
            DdnsUpdated(T0.AddSeconds(25), "ddns[0]", "rfc2136", "198.51.100.7", 900));

        Assert.Equal(["upstream ipv4", "uplink wan1", "ddns[0]", "tailscale", "wireguard:wg0"], history.HealthLines().Select(l => l.Subject));
        Assert.Equal([new(T0, Health.Up), new(T0.AddSeconds(10), Health.Down), new(T0.AddSeconds(20), Health.Up)], ChangesOf(history, "upstream ipv4"));
        Assert.Equal([new(T0, Health.Up), new(T0.AddSeconds(10), Health.Down)], ChangesOf(history, "uplink wan1"));
        // Started and the step are one degraded stretch; verified ends it.
        Assert.Equal([new(T0.AddSeconds(20), Health.Degraded), new(T0.AddSeconds(22), Health.Up)], ChangesOf(history, "wireguard:wg0"));
        Assert.Equal([new(T0.AddSeconds(30), Health.Down)], ChangesOf(history, "tailscale"));
        // A failure that will be retried is degraded, not down.
        Assert.Equal([new(T0.AddSeconds(21), Health.Degraded), new(T0.AddSeconds(25), Health.Up)], ChangesOf(history, "ddns[0]"));
    }

    [Fact]
    public void Failing_sources_degrade_the_upstream_until_they_recover()
    {
        var history = Of(
            Started(T0, "198.51.100.7"),
            One(new SourcesDegraded(T0.AddSeconds(5), IpFamily.Ipv4, [AddressSourceKind.Http], [new FailingSourceKind(AddressSourceKind.Stun, "timeout")])),
            One(new SourcesRecovered(T0.AddSeconds(9), IpFamily.Ipv4, [AddressSourceKind.Stun])));

        Assert.Equal([new(T0, Health.Up), new(T0.AddSeconds(5), Health.Degraded), new(T0.AddSeconds(9), Health.Up)], ChangesOf(history, "upstream ipv4"));
    }

    [Fact]
    public void Changes_older_than_a_day_are_dropped_but_the_state_the_day_starts_in_is_kept()
    {
        var history = Of(
            Started(T0, "198.51.100.7"),
            Lost(T0.AddHours(1), "198.51.100.7"),
            Restored(T0.AddHours(2), "198.51.100.7"),
            Lost(T0.AddHours(27), "198.51.100.7"));

        Assert.Equal([new(T0.AddHours(2), Health.Up), new(T0.AddHours(27), Health.Down)], ChangesOf(history, "upstream ipv4"));
    }

    [Fact]
    public void A_slice_shows_the_worst_state_it_held_and_nothing_before_the_first_event()
    {
        var line = new HealthLine("t", "heal", [new(T0.AddMinutes(-90), Health.Up), new(T0.AddMinutes(-20), Health.Down), new(T0.AddMinutes(-20).AddSeconds(2), Health.Up)]);

        var buckets = StatusHistory.Buckets(line, T0, 24);

        Assert.Equal([.. Enumerable.Repeat(Health.Unknown, 22), Health.Up, Health.Down], buckets);
    }

    [Fact]
    public void A_change_stamped_after_now_shows_in_the_last_slice()
    {
        var line = new HealthLine("t", "ddns", [new(T0.AddSeconds(2), Health.Down)]);

        Assert.Equal([Health.Unknown, Health.Down], StatusHistory.Buckets(line, T0, 2));
    }

    [Fact]
    public void The_address_history_lists_each_address_in_use_newest_first()
    {
        var history = Of(
            Started(T0, "198.51.100.7", "2001:db8::7"),
            AddressChanged(T0.AddMinutes(1), "198.51.100.7", "203.0.113.9"),
            Lost(T0.AddMinutes(2), "203.0.113.9"),
            Restored(T0.AddMinutes(3), "203.0.113.9"),
            One(new UplinkUp(T0, "wan2", IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), "2 servers")),
            One(new UplinkUp(T0.AddMinutes(4), "wan2", IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), "2 servers")),
            One(new UplinkDown(T0.AddMinutes(5), "wan2", IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), "no answer")),
            One(new UplinkDown(T0.AddMinutes(6), "wan2", IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), "no answer")),
            One(new UplinkUp(T0.AddMinutes(7), "wan2", IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), "2 servers")));

        // The same address again is no new entry, unless the uplink was down in between.
        Assert.Equal(
        [
            new(T0.AddMinutes(7), "wan2 ipv4", "192.0.2.2", "uplink-up"),
            new(T0.AddMinutes(5), "wan2 ipv4", null, "uplink-down"),
            new(T0, "wan2 ipv4", "192.0.2.2", "uplink-up"),
            new(T0.AddMinutes(3), "ipv4", "203.0.113.9", "upstream-restored"),
            new(T0.AddMinutes(2), "ipv4", null, "upstream-lost"),
            new(T0.AddMinutes(1), "ipv4", "203.0.113.9", "public-address-changed"),
            new(T0, "ipv6", "2001:db8::7", "started"),
            new(T0, "ipv4", "198.51.100.7", "started"),
        ], history.Addresses());
    }

    [Fact]
    public void The_newest_events_are_kept_in_order_with_a_sequence_number()
    {
        var history = new StatusHistory();
        for (int i = 0; i < StatusHistory.MaxEvents + 3; i++)
            history.OnEvent(HealStep(T0.AddSeconds(i), "wireguard:wg0", "keepalive", "done"));

        var events = history.Events(5);

        Assert.Equal([203L, 202, 201, 200, 199], events.Select(e => e.Sequence));
        Assert.Equal(T0.AddSeconds(202), events[0].Event.Time);
        Assert.Equal(StatusHistory.MaxEvents, history.Events(1000).Count);
    }
}
