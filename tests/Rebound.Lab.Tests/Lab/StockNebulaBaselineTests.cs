using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// The baseline that keeps the lab honest for Nebula healing: stock Nebula 1.6 (listen.port 4242) on the LAN
/// host stays down after a pinned failover, restart included (same port, same 5-tuple, same pinned entry),
/// while after a masquerade failover it comes back by itself.
/// </summary>
public sealed class StockNebulaBaselineTests
{
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stays_down_after_a_pinned_failover_even_when_restarted()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        await using var nebula = await NebulaMesh.UpAsync(lab, Ct);
        Assert.True(await nebula.LanPingsAsync(NebulaMesh.Lighthouse, Ct));

        await lab.FailoverAsync(Ct);
        Assert.Null(await nebula.FirstAnswerWithinAsync(Down * 2 / 3, cancellationToken: Ct));
        await nebula.RestartLanNodeAsync(Ct);
        Assert.Null(await nebula.FirstAnswerWithinAsync(Down / 3, cancellationToken: Ct));

        // The lab, not Nebula, is what keeps it down: back on WAN1 it answers again.
        await lab.FailbackAsync(Ct);
        Assert.NotNull(await nebula.FirstAnswerWithinAsync(TimeSpan.FromSeconds(15), cancellationToken: Ct));
    }

    [Fact]
    public async Task Comes_back_by_itself_after_a_masquerade_failover()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        await using var nebula = await NebulaMesh.UpAsync(lab, Ct);

        await lab.FailoverAsync(Ct);
        Assert.NotNull(await nebula.FirstAnswerWithinAsync(TimeSpan.FromSeconds(10), cancellationToken: Ct));
    }
}
