using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// --stun-blocked / block-stun: the router drops UDP to port 3478 from the LAN, while HTTP and DNS address
/// sources keep working, also across a failover.
/// </summary>
public sealed class StunBlockedLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_stun_is_blocked_and_the_lab_still_fails_over()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, new LabOptions { StunBlocked = true }, Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        var pdns = await lab.StartPowerDnsAsync(Ct);

        Assert.Null(await lab.StunAsync("203.0.113.10", Ct));
        Assert.Null(await lab.StunAsync("203.0.113.11", Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.HttpGetFromLanAsync(echo.Https.ToString(), Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "A", Ct));

        await lab.FailoverAsync(Ct);
        Assert.Null(await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.Wan2Address, await lab.HttpGetFromLanAsync(echo.Https.ToString(), Ct));
        Assert.Equal(FailoverLab.Wan2Address, await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "A", Ct));

        await lab.BlockStunAsync(false, Ct);
        Assert.Equal(FailoverLab.Wan2Address, await lab.StunAsync("203.0.113.10", Ct));
        await lab.BlockStunAsync(true, Ct);
        Assert.Null(await lab.StunAsync("203.0.113.10", Ct));

        await lab.FailbackAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Address, await lab.HttpGetFromLanAsync(echo.Http.ToString(), Ct));
        var dropped = (await lab.ExecAsync("router", ["nft", "list", "counter", "inet", "rbstunblock", "dropped"], Ct)).EnsureSuccess();
        Assert.DoesNotContain("packets 0 ", dropped.Stdout, StringComparison.Ordinal);
    }
}
