using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.Router;
using Rebound.Record;
using Rebound.Sense.Netlink;
using static Rebound.Tests.Act.Router.RouterNetworks;

namespace Rebound.Tests.Act.Router;

public sealed class RouterConntrackTargetTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private readonly FakeConntrackTable _table = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HealTrigger Trigger(string reason, LocalNetworkSnapshot? now, LocalNetworkSnapshot? before) =>
        new(Now, JsonNames.TryParse<HealReason>(reason, out var why) ? why : throw new ArgumentException(reason), null, null, null, true, now, before);

    [Theory]
    [InlineData("local-network-changed", true)]
    [InlineData("periodic", true)]
    [InlineData("startup", true)]
    [InlineData("uplink-changed", true)]
    [InlineData("public-address-changed", false)]
    [InlineData("upstream-restored", false)]
    public void Wants_only_local_network_changes_and_checks(string reason, bool wanted) =>
        Assert.Equal(wanted, new RouterConntrackTarget(_table).Wants(Trigger(reason, null, null)));

    [Fact]
    public async Task Failover_with_pinned_entries_is_flow_pinned_then_flushed_and_verified()
    {
        _table.Entries.Add(("lan udp 40000", Wan1));
        _table.Entries.Add(("lan tcp 40001", Wan1));
        _table.Entries.Add(("already on wan2", Wan2));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger("local-network-changed", OnWan2, OnWan1);

        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Equal("2 entries translated to departed 198.51.100.2 (wan1); default ipv4 via 198.51.100.1 dev wan1 -> via 192.0.2.1 dev wan2", Assert.Single(diagnosis.Evidence));

        var action = Assert.Single(target.Ladder);
        Assert.Equal("flush-conntrack", action.Kind.ToName());
        Assert.False(action.IsRestart);
        Assert.True(action.AppliesTo(diagnosis));
        Assert.Equal("deleted 2 entries translated to 198.51.100.2 via fake", await action.RunAsync(trigger, Ct));
        Assert.Equal([Wan1], _table.Deleted);
        Assert.Equal([("already on wan2", Wan2)], _table.Entries);

        _table.Entries.Add(("recreated by NAT on wan2", Wan2));
        var check = await target.VerifyAsync(trigger, Ct);
        Assert.True(check.Ok, check.Evidence);
        Assert.Equal("no entries translated to 198.51.100.2", check.Evidence);
    }

    [Fact]
    public async Task Failover_without_entries_on_the_departed_address_is_healthy()
    {
        _table.Entries.Add(("already on wan2", Wan2));
        var target = new RouterConntrackTarget(_table);

        var diagnosis = await target.DiagnoseAsync(Trigger("local-network-changed", OnWan2, OnWan1), Ct);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.False(target.Ladder[0].AppliesTo(diagnosis));
    }

    [Fact]
    public async Task No_switch_is_healthy_and_never_counts_entries()
    {
        _table.Failure = new ConntrackException("must not be asked");
        var target = new RouterConntrackTarget(_table);

        var diagnosis = await target.DiagnoseAsync(Trigger("local-network-changed", OnWan1, OnWan1), Ct);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Equal(["no WAN has departed"], diagnosis.Evidence);
    }

    [Fact]
    public async Task Periodic_check_remembers_the_departed_wan_and_finds_entries_pinned_later()
    {
        var target = new RouterConntrackTarget(_table);
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Trigger("local-network-changed", OnWan2, OnWan1), Ct)).Condition);

        _table.Entries.Add(("late packet re-created on wan1", Wan1));
        var periodic = await target.DiagnoseAsync(Trigger("periodic", OnWan2, OnWan2), Ct);

        Assert.Equal(HealCondition.FlowPinned, periodic.Condition);
    }

    [Fact]
    public async Task Coalesced_route_replace_still_knows_the_departed_wan_from_the_offered_first_half()
    {
        _table.Entries.Add(("pinned", Wan1));
        var target = new RouterConntrackTarget(_table);
        var noRoute = new LocalNetworkSnapshot(OnWan1.Addresses, []);
        var first = Trigger("local-network-changed", noRoute, OnWan1);
        var second = Trigger("local-network-changed", OnWan2, noRoute);

        // The engine offers both, but only diagnoses the latest.
        Assert.True(target.Wants(first));
        Assert.True(target.Wants(second));
        var diagnosis = await target.DiagnoseAsync(second, Ct);

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Contains("default ipv4 via 198.51.100.1 dev wan1 -> none", diagnosis.Evidence[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failback_makes_the_address_live_again_and_forgets_it()
    {
        _table.Entries.Add(("pinned", Wan1));
        var target = new RouterConntrackTarget(_table);
        await target.DiagnoseAsync(Trigger("local-network-changed", OnWan2, OnWan1), Ct);
        Assert.Single(target.Departed);

        var back = await target.DiagnoseAsync(Trigger("local-network-changed", OnWan1, OnWan2), Ct);

        // wan2 departed now; wan1 is live and its entries are never touched.
        Assert.Equal(Wan2, Assert.Single(target.Departed).Address);
        Assert.Equal(HealCondition.Healthy, back.Condition);
        Assert.Equal("no entries translated to 192.0.2.2", (await target.VerifyAsync(Trigger("periodic", OnWan1, OnWan1), Ct)).Evidence);
        await target.Ladder[0].RunAsync(Trigger("periodic", OnWan1, OnWan1), Ct);
        Assert.Equal([("pinned", Wan1)], _table.Entries);
    }

    [Fact]
    public async Task Mwan3_failback_never_flushes_the_backup_wan_that_still_has_its_default_route()
    {
        var target = new RouterConntrackTarget(_table);
        // wan1 fails (its default route goes), then comes back and is preferred again; wan2 kept its route throughout.
        Assert.True(target.Wants(Trigger("local-network-changed", OnlyWan2Backup, BothWan1Preferred)));
        Assert.Equal(Wan1, Assert.Single(target.Departed).Address);
        Assert.True(target.Wants(Trigger("local-network-changed", BothWan1Preferred, OnlyWan2Backup)));
        Assert.Empty(target.Departed);

        _table.Entries.Add(("balanced flow on wan2", Wan2));
        _table.Entries.Add(("flow on wan1", Wan1));
        var periodic = Trigger("periodic", BothWan1Preferred, BothWan1Preferred);
        Assert.True(target.Wants(periodic));
        var diagnosis = await target.DiagnoseAsync(periodic, Ct);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Equal("no departed WAN address; nothing deleted", await target.Ladder[0].RunAsync(periodic, Ct));
        Assert.Empty(_table.Deleted);
        Assert.Equal(2, _table.Entries.Count);
    }

    [Fact]
    public async Task Address_that_turns_live_during_a_flush_is_not_deleted()
    {
        // Both WANs depart (no default route left), then wan2's route returns while wan1's entries are being deleted.
        var none = new LocalNetworkSnapshot(OnWan1.Addresses, []);
        var both = new LocalNetworkSnapshot(OnWan1.Addresses, [.. BothWan1Preferred.DefaultRoutes]);
        var target = new RouterConntrackTarget(_table);
        Assert.True(target.Wants(Trigger("local-network-changed", none, both)));
        Assert.Equal(2, target.Departed.Count);
        _table.Entries.Add(("on wan1", Wan1));
        _table.Entries.Add(("on wan2", Wan2));
        _table.BeforeDelete = _ => target.Wants(Trigger("local-network-changed", OnlyWan2Backup, none));

        var result = await target.Ladder[0].RunAsync(Trigger("local-network-changed", none, both), Ct);

        Assert.Equal([Wan1], _table.Deleted);
        Assert.Equal([("on wan2", Wan2)], _table.Entries);
        Assert.Contains("192.0.2.2 is no longer departed; nothing deleted", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_check_reads_the_table_once_for_all_departed_addresses()
    {
        var second = IPAddress.Parse("198.51.100.9");
        var before = new LocalNetworkSnapshot([.. OnWan1.Addresses, new LocalAddress(3, "wan1", second, 24)], OnWan1.DefaultRoutes);
        var after = before with { DefaultRoutes = OnWan2.DefaultRoutes };
        _table.Entries.Add(("pinned a", Wan1));
        _table.Entries.Add(("pinned b", second));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger("local-network-changed", after, before);

        var diagnosis = await target.DiagnoseAsync(trigger, Ct);

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Equal(2, diagnosis.Evidence.Count);
        Assert.Equal(1, _table.Reads);
        _table.Entries.Clear();
        Assert.True((await target.VerifyAsync(trigger, Ct)).Ok);
        Assert.Equal(2, _table.Reads);
    }

    [Fact]
    public async Task Verified_clean_flush_forgets_the_departed_address_so_later_checks_read_nothing()
    {
        _table.Entries.Add(("pinned", Wan1));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger("local-network-changed", OnWan2, OnWan1);
        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(trigger, Ct)).Condition);
        await target.Ladder[0].RunAsync(trigger, Ct);

        Assert.True((await target.VerifyAsync(trigger, Ct)).Ok);

        Assert.Empty(target.Departed);
        var reads = _table.Reads;
        var periodic = await target.DiagnoseAsync(Trigger("periodic", OnWan2, OnWan2), Ct);
        Assert.Equal(["no WAN has departed"], periodic.Evidence);
        Assert.Equal(reads, _table.Reads);
    }

    [Fact]
    public async Task Verify_with_entries_left_keeps_the_address_and_forgets_only_the_clean_ones()
    {
        var second = IPAddress.Parse("198.51.100.9");
        var before = new LocalNetworkSnapshot([.. OnWan1.Addresses, new LocalAddress(3, "wan1", second, 24)], OnWan1.DefaultRoutes);
        var trigger = Trigger("local-network-changed", before with { DefaultRoutes = OnWan2.DefaultRoutes }, before);
        _table.Entries.Add(("stubborn", Wan1));
        var target = new RouterConntrackTarget(_table);
        await target.DiagnoseAsync(trigger, Ct);

        var check = await target.VerifyAsync(trigger, Ct);

        Assert.False(check.Ok);
        Assert.Equal("1 entry still translated to 198.51.100.2", check.Evidence);
        Assert.Equal(Wan1, Assert.Single(target.Departed).Address);
    }

    [Fact]
    public async Task Clean_periodic_check_forgets_the_departed_address_but_the_first_clean_diagnosis_does_not()
    {
        var target = new RouterConntrackTarget(_table);
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Trigger("local-network-changed", OnWan2, OnWan1), Ct)).Condition);
        Assert.Single(target.Departed);

        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Trigger("periodic", OnWan2, OnWan2), Ct)).Condition);

        Assert.Empty(target.Departed);
    }

    [Fact]
    public async Task Kept_addresses_are_never_flushed()
    {
        _table.Entries.Add(("pinned", Wan1));
        var target = new RouterConntrackTarget(_table, new RouterConntrackOptions { Keep = [Wan1] });

        var diagnosis = await target.DiagnoseAsync(Trigger("local-network-changed", OnWan2, OnWan1), Ct);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Equal("no departed WAN address; nothing deleted", await target.Ladder[0].RunAsync(Trigger("periodic", OnWan2, OnWan2), Ct));
        Assert.Empty(_table.Deleted);
    }

    [Fact]
    public async Task Unreadable_conntrack_is_unhealthy_and_a_failed_flush_is_a_one_line_action_error()
    {
        _table.Entries.Add(("pinned", Wan1));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger("local-network-changed", OnWan2, OnWan1);
        _table.Failure = new ConntrackException("ctnetlink: Operation not permitted; conntrack tool: cannot run conntrack");

        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.Equal(HealCondition.Unhealthy, diagnosis.Condition);
        Assert.StartsWith("cannot read conntrack: ctnetlink: Operation not permitted", diagnosis.Evidence[0], StringComparison.Ordinal);

        var failure = await Assert.ThrowsAsync<HealActionException>(async () => await target.Ladder[0].RunAsync(trigger, Ct));
        Assert.Equal("cannot delete entries translated to 198.51.100.2: ctnetlink: Operation not permitted; conntrack tool: cannot run conntrack", failure.Message);
        Assert.False((await target.VerifyAsync(trigger, Ct)).Ok);
    }

    [Fact]
    public async Task Fallback_table_uses_the_tool_when_ctnetlink_fails_and_says_so()
    {
        var netlink = new FakeConntrackTable("ctnetlink") { Failure = new ConntrackException("cannot open a ctnetlink socket: Permission denied") };
        var tool = new FakeConntrackTable("conntrack tool");
        tool.Entries.Add(("pinned", Wan1));
        var table = new FallbackConntrackTable(netlink, tool);

        var result = await table.DeleteTranslatedToAsync(Wan1, Ct);

        Assert.Equal(1, result.Deleted);
        Assert.Equal("conntrack tool (ctnetlink failed: cannot open a ctnetlink socket: Permission denied)", result.Via);
        Assert.Equal(0, await table.CountTranslatedToAsync(Wan1, Ct));
    }

    [Theory]
    [InlineData("conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.\n", "deleted", 3)]
    [InlineData("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n", "deleted", 0)]
    [InlineData("udp 17 29 src=...\nconntrack v1.4.7 (conntrack-tools): 12 flow entries have been shown.\n", "shown", 12)]
    [InlineData("conntrack v1.4.7 (conntrack-tools): Operation not permitted\n", "deleted", null)]
    public void Conntrack_tool_summary_lines_are_parsed(string stderr, string verb, int? expected) =>
        Assert.Equal(expected, ConntrackToolTable.ParseCount(stderr, verb));

    [Fact]
    public async Task Conntrack_tool_that_cannot_be_started_is_a_conntrack_exception()
    {
        var tool = new ConntrackToolTable(["/nonexistent/conntrack"]);

        var failure = await Assert.ThrowsAsync<ConntrackException>(async () => await tool.DeleteTranslatedToAsync(IPAddress.Parse("198.51.100.2"), Ct));

        Assert.StartsWith("cannot run /nonexistent/conntrack", failure.Message, StringComparison.Ordinal);
    }
}
