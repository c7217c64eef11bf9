using Microsoft.Extensions.Time.Testing;
using Rebound.Record.Status;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Tests.Record.Status;

public class StatusBoardTests
{
    private readonly FakeTimeProvider _time = new(T0);

    private StatusBoard NewBoard() => new("1.2.3", _time);

    [Fact]
    public void Before_any_event_both_families_are_unknown_and_there_is_no_failover()
    {
        var snapshot = NewBoard().Snapshot();

        Assert.Equal(["ipv4", "ipv6"], snapshot.Families.Select(f => f.Family));
        Assert.All(snapshot.Families, f => Assert.Null(f.Up));
        Assert.Null(snapshot.LastFailover);
        Assert.Empty(snapshot.Targets);
        Assert.Equal(T0, snapshot.StartedAt);
    }

    [Fact]
    public void Started_sets_addresses_and_upstream_state_per_family()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, "198.51.100.7"));

        var snapshot = board.Snapshot();
        Assert.Equal(new FamilyStatus("ipv4", "198.51.100.7", true, T0), snapshot.Families[0]);
        Assert.Equal(new FamilyStatus("ipv6", null, null, T0), snapshot.Families[1]);
        Assert.Null(snapshot.LastFailover);
    }

    [Fact]
    public void A_failover_records_old_and_new_address_detection_time_and_each_targets_time_to_heal()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, "198.51.100.7"));
        var change = T0.AddMinutes(5);
        board.OnEvent(AddressChanged(change, "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromMilliseconds(2500)));
        board.OnEvent(HealStarted(change, "wg0"));
        board.OnEvent(HealStep(change.AddSeconds(1), "wg0", "reresolve", "done"));
        board.OnEvent(DdnsUpdated(change.AddSeconds(2), "ddns[0]", "rfc2136", "203.0.113.9", 2100));
        board.OnEvent(HealVerified(change.AddSeconds(3), "wg0", "reresolve", 3200));
        board.OnEvent(HealStep(change.AddSeconds(4), "wg0", "reresolve", "verified"));
        _time.Advance(TimeSpan.FromMinutes(10));

        var snapshot = board.Snapshot();
        var failover = Assert.IsType<FailoverStatus>(snapshot.LastFailover);
        Assert.Equal(("public-address-changed", "ipv4", "198.51.100.7", "203.0.113.9", 2.5), (failover.Kind, failover.Family, failover.Old, failover.New, failover.DetectSeconds));
        Assert.Equal(2, failover.Targets.Count);
        var wg = failover.Targets.Single(t => t.Target == "wg0");
        Assert.Equal(("heal", "verified", "reresolve", 3.2), (wg.Kind, wg.Result, wg.Action, wg.Seconds));
        var dns = failover.Targets.Single(t => t.Target == "ddns[0]");
        Assert.Equal(("ddns", "published", 2.1), (dns.Kind, dns.Result, dns.Seconds));
        Assert.Equal("203.0.113.9", snapshot.Families[0].Address);
        Assert.Equal(600, snapshot.UptimeSeconds);
        Assert.Equal("203.0.113.9", snapshot.Targets.Single(t => t.Target == "ddns[0]").Address);
    }

    [Fact]
    public void Detection_time_is_each_failovers_own()
    {
        var board = NewBoard();
        board.OnEvent(AddressChanged(T0, null, "203.0.113.9", detectedIn: TimeSpan.FromSeconds(4)));
        board.OnEvent(AddressChanged(T0.AddMinutes(1), "203.0.113.9", "198.51.100.7"));

        var snapshot = board.Snapshot();
        Assert.Null(snapshot.Failovers[0].DetectSeconds);
        Assert.Equal(4, snapshot.Failovers[1].DetectSeconds);
    }

    [Fact]
    public void Upstream_lost_then_restored_shows_the_address_before_the_loss_as_old()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, "198.51.100.7"));
        board.OnEvent(Lost(T0.AddMinutes(1), "198.51.100.7"));
        Assert.Equal(new FamilyStatus("ipv4", null, false, T0.AddMinutes(1)), board.Snapshot().Families[0]);

        board.OnEvent(Restored(T0.AddMinutes(2), "203.0.113.9"));

        var snapshot = board.Snapshot();
        Assert.Equal(("upstream-restored", "198.51.100.7", "203.0.113.9"), (snapshot.LastFailover!.Kind, snapshot.LastFailover.Old, snapshot.LastFailover.New));
        Assert.Equal(["upstream-restored", "upstream-lost"], snapshot.Failovers.Select(f => f.Kind));
        Assert.True(snapshot.Families[0].Up);
    }

    [Fact]
    public void A_failed_heal_and_a_failed_update_show_on_the_failover_and_the_targets()
    {
        var board = NewBoard();
        board.OnEvent(AddressChanged(T0, "198.51.100.7", "203.0.113.9"));
        board.OnEvent(HealFailed(T0.AddSeconds(30), "tailscale", "tailscaled not running"));
        board.OnEvent(DdnsFailed(T0.AddSeconds(5), "ddns[1]", "cloudflare", "HTTP 403"));

        var snapshot = board.Snapshot();
        Assert.Equal(["failed", "failed"], snapshot.LastFailover!.Targets.Select(t => t.Result));
        Assert.Equal("tailscaled not running", snapshot.Targets.Single(t => t.Target == "tailscale").Detail);
    }

    [Fact]
    public void A_refresh_does_not_count_as_a_failovers_publish_but_updates_the_target()
    {
        var board = NewBoard();
        board.OnEvent(AddressChanged(T0, "198.51.100.7", "203.0.113.9"));
        board.OnEvent(DdnsUpdated(T0.AddDays(7), "ddns[0]", "desec", "203.0.113.9", 400, refresh: true));

        var snapshot = board.Snapshot();
        Assert.Empty(snapshot.LastFailover!.Targets);
        Assert.Equal(T0.AddDays(7), snapshot.Targets.Single().Time);
    }

    [Fact]
    public void Only_the_most_recent_failovers_are_kept_newest_first()
    {
        var board = NewBoard();
        for (int i = 0; i < StatusBoard.MaxFailovers + 5; i++)
        {
            board.OnEvent(AddressChanged(T0.AddMinutes(i), null, $"203.0.113.{i + 1}"));
        }

        var snapshot = board.Snapshot();
        Assert.Equal(StatusBoard.MaxFailovers, snapshot.Failovers.Count);
        Assert.Equal($"203.0.113.{StatusBoard.MaxFailovers + 5}", snapshot.Failovers[0].New);
        Assert.Equal("203.0.113.6", snapshot.Failovers[^1].New);
    }

    [Fact]
    public void The_snapshot_survives_a_json_round_trip()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, "198.51.100.7", "2001:db8::1"));
        board.OnEvent(AddressChanged(T0.AddMinutes(1), "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromSeconds(1.5)));
        board.OnEvent(HealVerified(T0.AddMinutes(1).AddSeconds(2), "wg0", "rotate-port", 2000));
        var snapshot = board.Snapshot();

        var json = StatusJson.Serialize(snapshot);
        var back = StatusJson.Parse(json);

        Assert.Contains("\"lastFailover\":{", json, StringComparison.Ordinal);
        Assert.Contains("\"detectSeconds\":1.5", json, StringComparison.Ordinal);
        Assert.Contains("\"startedAt\":\"2026-11-26T06:00:00.000Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"since\":\"2026-11-26T06:00:00.000Z\"", json, StringComparison.Ordinal);
        Assert.Equal(json, StatusJson.Serialize(back));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("{\"families\":7}")]
    public void Parsing_something_else_is_a_format_error(string json)
    {
        Assert.Throws<FormatException>(() => StatusJson.Parse(json));
    }

    [Fact]
    public void The_text_rendering_shows_addresses_the_last_failover_and_per_target_times()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, "198.51.100.7"));
        board.OnEvent(AddressChanged(T0.AddMinutes(1), "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromSeconds(2)));
        board.OnEvent(HealVerified(T0.AddMinutes(1).AddSeconds(3), "wg0", "reresolve", 3250));
        _time.Advance(TimeSpan.FromMinutes(62));

        var text = StatusText.Render(board.Snapshot());

        Assert.Contains("rebound 1.2.3, up 1h 2m", text, StringComparison.Ordinal);
        Assert.Contains("ipv4: 203.0.113.9 (upstream up since 2026-11-26T06:01:00.000Z)", text, StringComparison.Ordinal);
        Assert.Contains("ipv6: - (upstream unknown", text, StringComparison.Ordinal);
        Assert.Contains("public-address-changed ipv4 198.51.100.7 -> 203.0.113.9, detected in 2 s", text, StringComparison.Ordinal);
        Assert.Contains("wg0 [heal] verified in 3.25 s (reresolve)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Losing_an_upstream_that_never_had_an_address_is_no_failover()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, null));
        board.OnEvent(Wan(new Rebound.Decide.UpstreamLost(T0.AddSeconds(5), Rebound.Decide.IpFamily.Ipv4, null, new Rebound.Decide.WanEvidence("interval", 2, []))));

        var snapshot = board.Snapshot();
        Assert.Null(snapshot.LastFailover);
        Assert.Empty(snapshot.Failovers);
        Assert.False(snapshot.Families.Single(f => f.Family == "ipv4").Up);
        Assert.DoesNotContain("none -> none", StatusText.Render(snapshot), StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_shows_the_failovers_as_a_timeline_with_detect_and_heal_bars()
    {
        var board = NewBoard();
        board.OnEvent(Started(T0, "198.51.100.7"));
        var first = T0.AddMinutes(5);
        board.OnEvent(AddressChanged(first, "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromMilliseconds(1000)));
        board.OnEvent(HealStarted(first, "wg0"));
        board.OnEvent(HealVerified(first.AddSeconds(2), "wg0", "reresolve", 2000));
        var second = T0.AddMinutes(9);
        board.OnEvent(AddressChanged(second, "203.0.113.9", "198.51.100.7", detectedIn: TimeSpan.FromMilliseconds(500)));

        var lines = StatusText.Render(board.Snapshot()).Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("failovers (2, newest first", StringComparison.Ordinal));
        Assert.True(header >= 0, string.Join('\n', lines));
        // Newest first: 0.5 s detection is one mark and no targets; the first has 2 detect marks and 4 heal marks (2 s).
        Assert.EndsWith(" ipv4 d no targets", lines[header + 1], StringComparison.Ordinal);
        Assert.EndsWith(" ipv4 dd==== 1/1 ok in 2 s", lines[header + 2], StringComparison.Ordinal);
    }

    [Fact]
    public void Probed_uplinks_show_as_unknown_from_the_start_until_their_first_event()
    {
        var board = NewBoard();
        board.ExpectUplinks(["wan1", "wan2"]);

        var before = board.Snapshot();
        Assert.Equal([("wan1", "unknown"), ("wan2", "unknown")], before.Uplinks.Select(u => (u.Interface, u.State)));
        Assert.Contains("  wan1: unknown, ipv4 -, ipv6 -", StatusText.Render(before), StringComparison.Ordinal);

        board.OnEvent(Wan(new Rebound.Sense.Uplinks.UplinkUp(T0, "wan1", Rebound.Decide.IpFamily.Ipv4, System.Net.IPAddress.Parse("198.51.100.2"), "probe")));
        board.ExpectUplinks(["wan1"]); // a reload that drops wan2 keeps wan1's state
        var after = Assert.Single(board.Snapshot().Uplinks);
        Assert.Equal(("wan1", "up", "198.51.100.2"), (after.Interface, after.State, after.Ipv4));
    }
}
