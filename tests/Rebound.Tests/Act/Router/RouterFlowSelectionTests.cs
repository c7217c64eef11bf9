using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.Router;
using Rebound.Sense.Netlink;
using Rebound.Sense.Uplinks;
using static Rebound.Tests.Act.Router.RouterNetworks;

namespace Rebound.Tests.Act.Router;

/// <summary>
/// Router mode flow by flow (ctnetlink lists each entry with its mark and status): a flow goes when its WAN is gone,
/// when it carries a down WAN's mark, or when it is translated to one WAN but leaves by another; a flow that leaves
/// by the live WAN it is translated to stays, with its entry.
/// </summary>
public sealed class RouterFlowSelectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 14, 0, 0, TimeSpan.Zero);
    private static readonly WanMark Mark1 = new(0x100, 0xff00);
    private static readonly WanMark Mark2 = new(0x200, 0xff00);
    private static readonly RouterConntrackOptions Wans = new() { WanInterfaces = ["wan1", "wan2"] };
    private readonly FakeCtnetlinkTable _table = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PolicyMarks Mwan3Rules => new(new Dictionary<string, WanMark>(StringComparer.Ordinal) { ["wan1"] = Mark1, ["wan2"] = Mark2 }, false);

    private static UplinkStatus Uplink(string name, UplinkState state, IPAddress local) =>
        new(name, state, state == UplinkState.Up ? local : null, null, Now) { LocalIpv4 = local };

    private static UplinkStatus[] BothUp => [Uplink("wan1", UplinkState.Up, Wan1), Uplink("wan2", UplinkState.Up, Wan2)];

    private static UplinkStatus[] Wan1Down => [Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Up, Wan2)];

    private static HealTrigger Trigger(HealReason reason, LocalNetworkSnapshot now, LocalNetworkSnapshot before, UplinkStatus[] uplinks) =>
        new(Now, reason, null, null, null, true, now, before) { Uplinks = uplinks };

    private RouterConntrackTarget Target(PolicyMarks? rules, RouterConntrackOptions? options = null) =>
        new(_table, options ?? Wans, _ => Task.FromResult(rules));

    [Fact]
    public async Task Metric_failback_with_static_snat_deletes_the_wan2_flows_now_routed_out_of_wan1_and_nothing_else()
    {
        var stranded = _table.AddLanFlow(40000, Wan2);       // healed onto WAN2 during the outage
        var fresh = _table.AddLanFlow(40001, Wan1);          // made after the failback
        var target = Target(PolicyMarks.None);
        var back = Trigger(HealReason.LocalNetworkChanged, BothWan1Preferred, BothWan2Preferred, BothUp);

        var diagnosis = await target.DiagnoseAsync(back, Ct);
        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Equal("1 entry translated to 192.0.2.2 (wan2) leaving by wan1", Assert.Single(diagnosis.Evidence));

        Assert.Equal("deleted 1 entry translated to 192.0.2.2 (wan2) leaving by wan1 via ctnetlink", await Assert.Single(target.Ladder).RunAsync(back, Ct));
        Assert.Equal([stranded], _table.Deleted);
        Assert.Equal([fresh], _table.Entries);
        var check = await target.VerifyAsync(back, Ct);
        Assert.True(check.Ok, check.Evidence);
    }

    [Fact]
    public async Task Metric_failover_with_static_snat_moves_the_wan1_flows_before_the_probes_say_down()
    {
        var pinned = _table.AddLanFlow(40000, Wan1);
        var target = Target(PolicyMarks.None);
        var over = Trigger(HealReason.LocalNetworkChanged, BothWan2Preferred, BothWan1Preferred, BothUp);

        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(over, Ct)).Condition);
        Assert.Equal("deleted 1 entry translated to 198.51.100.2 (wan1) leaving by wan2 via ctnetlink", await Assert.Single(target.Ladder).RunAsync(over, Ct));
        Assert.Equal([pinned], _table.Deleted);
    }

    [Fact]
    public async Task Mwan3_failback_leaves_the_wan2_flows_whose_mark_keeps_them_on_wan2()
    {
        _table.AddLanFlow(40002, Wan2, mark: 0x200);
        _table.AddLanFlow(40003, Wan1, mark: 0x100);
        var target = Target(Mwan3Rules);

        var diagnosis = await target.DiagnoseAsync(Trigger(HealReason.UplinkChanged, BothWan1Preferred, BothWan1Preferred, BothUp), Ct);
        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Empty(_table.Deleted);
    }

    [Fact]
    public async Task Mwan3_failover_deletes_by_the_down_wans_mark_and_address_never_the_live_wans_flows()
    {
        var byAddress = _table.AddLanFlow(40000, Wan1, mark: 0x100);
        var byMark = _table.AddLanFlow(40001, IPAddress.Parse("100.64.0.9"), mark: 0x10100); // wan1's mark, an address Rebound does not know
        var live = _table.AddLanFlow(40002, Wan2, mark: 0x200);
        var probe = _table.AddRouterFlow(Wan1);
        var target = Target(Mwan3Rules);
        var down = Trigger(HealReason.UplinkChanged, BothWan1Preferred, BothWan1Preferred, Wan1Down);

        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(down, Ct)).Condition);
        var detail = await Assert.Single(target.Ladder).RunAsync(down, Ct);
        Assert.Equal("deleted 1 entry translated to 198.51.100.2 via ctnetlink; deleted 1 entry marked 0x100/0xff00 for down wan1 via ctnetlink", detail);
        Assert.Equal([byAddress, byMark], _table.Deleted);
        Assert.Equal([live, probe], _table.Entries);
    }

    [Fact]
    public async Task A_mark_no_rule_explains_or_unreadable_rules_leave_a_flow_alone()
    {
        _table.AddLanFlow(40000, Wan2, mark: 0x300);
        Assert.Equal(HealCondition.Healthy, (await Target(Mwan3Rules).DiagnoseAsync(Trigger(HealReason.Periodic, BothWan1Preferred, BothWan1Preferred, BothUp), Ct)).Condition);

        _table.AddLanFlow(40001, Wan2);
        var unknownRules = Target(null);
        Assert.Equal(HealCondition.Healthy, (await unknownRules.DiagnoseAsync(Trigger(HealReason.LocalNetworkChanged, BothWan1Preferred, BothWan2Preferred, BothUp), Ct)).Condition);
        var steered = Target(PolicyMarks.None with { OtherRules = true });
        Assert.Equal(HealCondition.Healthy, (await steered.DiagnoseAsync(Trigger(HealReason.LocalNetworkChanged, BothWan1Preferred, BothWan2Preferred, BothUp), Ct)).Condition);
        Assert.Empty(_table.Deleted);
    }

    [Fact]
    public async Task A_kept_address_is_never_deleted_even_when_stranded()
    {
        _table.AddLanFlow(40000, Wan2);
        var target = Target(PolicyMarks.None, new RouterConntrackOptions { WanInterfaces = ["wan1", "wan2"], Keep = [Wan2] });

        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Trigger(HealReason.LocalNetworkChanged, BothWan1Preferred, BothWan2Preferred, BothUp), Ct)).Condition);
        Assert.Empty(_table.Deleted);
    }

    [Fact]
    public void Egress_of_an_unmarked_flow_is_the_main_tables_and_of_a_marked_one_its_wans()
    {
        var view = RouterView.From(BothWan1Preferred, BothUp, Wans, Mwan3Rules);
        Assert.Equal("wan1", FlowSelection.Egress(null, view));
        Assert.Equal("wan1", FlowSelection.Egress(0, view));
        Assert.Equal("wan2", FlowSelection.Egress(0x10200, view));
        Assert.Null(FlowSelection.Egress(0x300, view));
        Assert.Equal("wan2", RouterView.From(BothWan2Preferred, BothUp, Wans, Mwan3Rules).MainEgress);
    }
}
