using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// `rebound watch` with STUN and the lab's real HTTP echo (nginx): a pooling carrier NAT after a pinned
/// failover is reported as an ambiguous change, and STUN blocked at the router is sources-degraded, never an outage.
/// </summary>
public sealed class AddressSourceTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DetectTimeout = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Args(HttpEcho echo) =>
        ["watch", "--server", FailoverLab.Stun1, "--server", FailoverLab.Stun2, "--server", echo.Http.ToString(), "--interval", "1s", "--json"];

    [Fact]
    public async Task A_pooling_carrier_nat_after_a_pinned_failover_is_an_ambiguous_change_and_failback_a_plain_one()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, new LabOptions { CarrierNat = true }, Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        await using var rebound = ReboundProcess.StartInLan(lab, Args(echo));
        var started = await rebound.NextEventAsync(StartTimeout, "started", Ct);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));

        await lab.FailoverAsync(Ct);
        var e = await rebound.WaitForAsync(x => x.Name == "public-address-changed", DetectTimeout, "public-address-changed (ambiguous)", Ct);
        Assert.Contains("\"ambiguous\":true", e.Line, StringComparison.Ordinal);
        Assert.Equal(FailoverLab.Wan1Address, e.GetString("old"));
        foreach (var pooled in new[] { FailoverLab.CarrierNatAddressFor("203.0.113.10"), FailoverLab.CarrierNatAddressFor("203.0.113.11") })
        {
            Assert.Contains($"\"{pooled}\"", e.Line, StringComparison.Ordinal);
        }

        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(4), "while the pool stays the same", Ct);

        await lab.FailbackAsync(Ct);
        var back = await rebound.WaitForAsync(x => x.Name == "public-address-changed", DetectTimeout, "public-address-changed back", Ct);
        Assert.DoesNotContain("\"ambiguous\"", back.Line, StringComparison.Ordinal);
        Assert.Equal(FailoverLab.Wan1Address, back.GetString("new"));
    }

    [Fact]
    public async Task Blocked_stun_is_sources_degraded_not_upstream_lost_and_the_failover_is_followed_over_http()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, new LabOptions { StunBlocked = true }, Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        await using var rebound = ReboundProcess.StartInLan(lab, Args(echo));
        var started = await rebound.NextEventAsync(StartTimeout, "started", Ct);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));

        var degraded = await rebound.NextEventAsync(DetectTimeout, "sources-degraded", Ct);
        Assert.Equal("sources-degraded", degraded.Name);
        Assert.Contains("\"working\":[\"http\"]", degraded.Line, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"stun\"", degraded.Line, StringComparison.Ordinal);
        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), "while degraded (no upstream-lost, no repeat)", Ct);

        await lab.FailoverAsync(Ct);
        var change = await rebound.NextEventAsync(DetectTimeout, "public-address-changed", Ct);
        Assert.Equal("public-address-changed", change.Name);
        Assert.Equal(FailoverLab.Wan2Address, change.GetString("new"));

        await lab.BlockStunAsync(false, Ct);
        var recovered = await rebound.NextEventAsync(TimeSpan.FromSeconds(30), "sources-recovered", Ct);
        Assert.Equal("sources-recovered", recovered.Name);
    }
}
