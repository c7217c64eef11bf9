using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.Router;
using Rebound.Sense.Netlink;
using Rebound.Sense.Uplinks;
using static Rebound.Tests.Act.Router.RouterNetworks;

namespace Rebound.Tests.Act.Router;

/// <summary>
/// Router mode's departure from the uplinks' own probes: mwan3 and metric failovers keep wan1's default route,
/// so only "wan1's probes fail while wan2's answer" says its flows must move.
/// </summary>
public sealed class RouterUplinkDepartureTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 13, 0, 0, TimeSpan.Zero);
    private readonly FakeConntrackTable _table = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static UplinkStatus Uplink(string name, UplinkState state, IPAddress local) =>
        new(name, state, state == UplinkState.Up ? local : null, null, Now) { LocalIpv4 = local };

    private static HealTrigger Trigger(HealReason reason, LocalNetworkSnapshot network, params UplinkStatus[] uplinks) =>
        new(Now, reason, null, null, null, true, network, network) { Uplinks = uplinks };

    [Fact]
    public async Task Mwan3_failover_flushes_only_the_down_uplinks_entries_though_its_route_stays()
    {
        _table.Entries.Add(("lan udp 51820 pinned by mark 0x100", Wan1));
        _table.Entries.Add(("lan tcp 40001 on wan2", Wan2));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger(HealReason.UplinkChanged, BothWan1Preferred, Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Up, Wan2));

        Assert.True(target.Wants(trigger));
        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.StartsWith("1 entry translated to departed 198.51.100.2 (wan1); uplink wan1 down since 13:00:00.000Z, wan2 up", Assert.Single(diagnosis.Evidence));

        Assert.Equal("deleted 1 entry translated to 198.51.100.2 via fake", await Assert.Single(target.Ladder).RunAsync(trigger, Ct));
        Assert.Equal([Wan1], _table.Deleted);
        Assert.Equal([("lan tcp 40001 on wan2", Wan2)], _table.Entries);
        Assert.True((await target.VerifyAsync(trigger, Ct)).Ok);
    }

    [Fact]
    public async Task Metric_failover_with_both_routes_departs_the_down_uplink()
    {
        _table.Entries.Add(("snat flow", Wan1));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger(HealReason.UplinkChanged, BothWan2Preferred, Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Up, Wan2));

        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(trigger, Ct)).Condition);
        Assert.Equal(Wan1, Assert.Single(target.Departed).Address);
    }

    [Fact]
    public async Task No_uplink_up_departs_nothing_flushing_would_only_lose_the_flows()
    {
        _table.Entries.Add(("flow", Wan1));
        var target = new RouterConntrackTarget(_table);
        var trigger = Trigger(HealReason.UplinkChanged, BothWan1Preferred, Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Down, Wan2));

        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(trigger, Ct)).Condition);
        Assert.Empty(target.Departed);
    }

    [Fact]
    public async Task Failback_leaves_the_flows_already_healthy_on_the_backup()
    {
        _table.Entries.Add(("made during the outage, on wan2", Wan2));
        var target = new RouterConntrackTarget(_table);
        await target.DiagnoseAsync(Trigger(HealReason.UplinkChanged, BothWan1Preferred, Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Up, Wan2)), Ct);
        Assert.Single(target.Departed);

        var back = Trigger(HealReason.UplinkChanged, BothWan1Preferred, Uplink("wan1", UplinkState.Up, Wan1), Uplink("wan2", UplinkState.Up, Wan2));
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(back, Ct)).Condition);
        Assert.Empty(target.Departed);
        Assert.Empty(_table.Deleted);
        Assert.Single(_table.Entries);
    }

    [Fact]
    public void Uplink_outside_wan_interfaces_is_ignored_and_unknown_never_departs()
    {
        var uplinks = new[] { Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Up, Wan2), Uplink("wan3", UplinkState.Unknown, IPAddress.Parse("203.0.113.9")) };
        Assert.Empty(WanDeparture.DownUplinks(uplinks, BothWan1Preferred, ["wan1"]));
        var departed = Assert.Single(WanDeparture.DownUplinks(uplinks, BothWan1Preferred, ["wan1", "wan2", "wan3"]));
        Assert.Equal(("wan1", Wan1), (departed.Interface, departed.Address));
    }

    [Fact]
    public void Down_uplink_keeps_the_address_it_was_probed_from_after_the_interface_lost_it()
    {
        var gone = new LocalNetworkSnapshot([.. OnWan2.Addresses.Where(a => a.InterfaceName != "wan1")], OnWan2.DefaultRoutes);
        var departed = Assert.Single(WanDeparture.DownUplinks([Uplink("wan1", UplinkState.Down, Wan1), Uplink("wan2", UplinkState.Up, Wan2)], gone));
        Assert.Equal(Wan1, departed.Address);
    }
}
