using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// --cgnat: behind WAN2 a carrier NAT pools arbitrarily, so after failover every destination sees another
/// public address (RFC 4787), while WAN1 stays direct.
/// </summary>
public sealed class CarrierNatLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Masquerade)]
    public async Task Each_destination_sees_its_own_address_behind_the_carrier(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, new LabOptions { CarrierNat = true }, Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.11", Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.HttpGetFromLanAsync(echo.Http.ToString(), Ct));

        var over = await lab.FailoverAsync(Ct);
        Assert.Equal("192.0.2.50", over.ExpectedPublicAddress);
        Assert.Equal("192.0.2.50", await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal("192.0.2.51", await lab.StunAsync("203.0.113.11", Ct));
        Assert.Equal(lab.PublicAddressAfterFailover("203.0.113.80"), await lab.HttpGetFromLanAsync(echo.Http.ToString(), Ct));
        Assert.Equal("192.0.2.120", lab.PublicAddressAfterFailover("203.0.113.80"));

        await lab.FailbackAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.11", Ct));
    }
}
