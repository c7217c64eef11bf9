using System.Diagnostics;
using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.WireGuard;
using Rebound.Lab.Tests.Harness;
using Rebound.Record;

namespace Rebound.Lab.Tests.WireGuard;

/// <summary>
/// WireGuard (wireguard-go) across a failover of a router with static SNAT per WAN (lab mode pinned): stock
/// WireGuard stays down; <see cref="WireGuardTarget"/>, driven by hand as the heal engine would, brings it back.
/// </summary>
public sealed class WireGuardHealLabTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Baseline honesty: the problem is real. Keepalives every 25 s refresh the pinned entry forever.</summary>
    [Fact]
    public async Task Stock_wireguard_is_still_down_a_minute_after_failover_behind_static_snat()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        await using var tunnel = await WireGuardTunnel.UpAsync(lab, "client", Ct);
        Assert.True(await tunnel.LanPingsPeerAsync(Ct));

        await lab.FailoverAsync(Ct);
        var watch = Stopwatch.StartNew();
        var answered = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await tunnel.LanPingsPeerAsync(Ct))
                answered++;
            await Task.Delay(TimeSpan.FromSeconds(5), Ct);
        }

        Assert.Equal(0, answered);
        Assert.False(await tunnel.LanPingsPeerAsync(Ct));
        Assert.Equal("198.51.100.2:51821", await tunnel.PeerSeesEndpointAsync(Ct)); // the peer never heard from WAN2
    }

    [Fact]
    public async Task Target_diagnoses_a_pinned_flow_and_rotating_the_port_restores_the_tunnel()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        await using var tunnel = await WireGuardTunnel.UpAsync(lab, "client", Ct);
        Assert.True(await tunnel.LanPingsPeerAsync(Ct));
        var target = new WireGuardTarget(
            new WireGuardTargetOptions { Interface = tunnel.LanInterface, VerifyPing = [WireGuardTunnel.PeerTunnelAddress] },
            new UapiWireGuardControl(tunnel.LanInterface),
            new IcmpEchoPinger(TimeProvider.System, family => NamespaceSockets.Open(lab.LanNamespace, family)),
            new SystemHostResolver(TimeProvider.System, TimeSpan.FromSeconds(1)),
            TimeProvider.System);
        var healthy = await target.DiagnoseAsync(Trigger(HealReason.Startup, DateTimeOffset.UtcNow), Ct);
        Assert.Equal(HealCondition.Healthy, healthy.Condition);

        var failover = await lab.FailoverAsync(Ct);
        var trigger = Trigger(HealReason.PublicAddressChanged, failover.Time);
        var started = Stopwatch.StartNew();
        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        foreach (var line in diagnosis.Evidence)
            output.WriteLine($"evidence: {line}");

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Contains(diagnosis.Evidence, l => l.StartsWith("ping 10.99.0.1: no answer within 300 ms", StringComparison.Ordinal));
        Assert.Contains(diagnosis.Evidence, l => l.Contains("endpoint 203.0.113.20:51820: handshake", StringComparison.Ordinal));

        HealCheck? verified = null;
        string? action = null;
        foreach (var rung in target.Ladder.Where(a => a.AppliesTo(diagnosis)))
        {
            var line = await rung.RunAsync(trigger, Ct);
            output.WriteLine($"{rung.Kind.ToName()}: {line}");
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < target.VerifyDeadline)
            {
                var check = await target.VerifyAsync(trigger, Ct);
                if (check.Ok)
                {
                    verified = check;
                    break;
                }

                await Task.Delay(target.VerifyInterval, Ct);
            }

            if (verified is not null)
            {
                action = rung.Kind.ToName();
                break;
            }
        }

        var elapsed = started.Elapsed;
        output.WriteLine($"verified after {elapsed.TotalMilliseconds:0} ms by {action}: {verified?.Evidence}");
        Assert.NotNull(verified);
        Assert.Equal("rotate-port", action);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"healing took {elapsed}");
        Assert.True(await tunnel.LanPingsPeerAsync(Ct));
        Assert.StartsWith("192.0.2.2:", await tunnel.PeerSeesEndpointAsync(Ct), StringComparison.Ordinal); // the peer roamed
    }

    private static HealTrigger Trigger(HealReason reason, DateTimeOffset at) =>
        new(at, reason, null, IPAddress.Parse(reason == HealReason.Startup ? FailoverLab.Wan1Address : FailoverLab.Wan2Address), null, UpstreamUp: true, null, null);
}
