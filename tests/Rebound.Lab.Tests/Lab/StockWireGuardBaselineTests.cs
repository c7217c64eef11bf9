using Rebound.Lab.Tests.Harness;
using Rebound.Lab.Tests.WireGuard;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// The baseline for healing WireGuard behind multi-WAN routers: stock wireguard-go on the LAN host (client,
/// persistent keepalive 25 s, fixed port) after an mwan3 or a metric failover. mwan3 keeps the flow's mark,
/// so it stays on the dead WAN for good. Metric with masquerade remaps the flow (its output interface
/// changed), so the tunnel comes back by itself; with static SNAT (--snat) it stays pinned.
/// </summary>
public sealed class StockWireGuardBaselineTests
{
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Mwan3, false, false)]
    [InlineData(LabMode.Metric, false, true)]
    [InlineData(LabMode.Metric, true, false)]
    public async Task After_a_multi_wan_failover(LabMode mode, bool staticSnat, bool recovers)
    {
        await using var lab = await FailoverLab.StartAsync(mode, new LabOptions { StaticSnat = staticSnat }, Ct);
        await using var tunnel = await WireGuardTunnel.UpAsync(lab, "client", Ct);
        Assert.True(await tunnel.LanPingsPeerAsync(Ct));

        await lab.FailoverAsync(Ct);
        var start = DateTimeOffset.UtcNow;
        var answered = false;
        while (!answered && DateTimeOffset.UtcNow - start < (recovers ? TimeSpan.FromSeconds(10) : Down))
        {
            answered = await tunnel.LanPingsPeerAsync(Ct);
        }

        Assert.Equal(recovers, answered);
        if (!recovers)
        {
            Assert.Equal(FailoverLab.Wan2Address, await lab.StunAsync("203.0.113.10", Ct)); // the network itself works
        }
    }
}
