using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Lab;

/// <summary>
/// The lab with --ipv6: IPv4 behaves exactly as without it, and on failover the LAN host gets an address from
/// the new uplink's prefix (no NAT66) while the old one is deprecated; coturn, BIND, nginx and PowerDNS answer
/// over IPv6 and see the host's current address.
/// </summary>
public sealed class DualStackLabTests
{
    private static readonly TimeSpan AddressTimeout = TimeSpan.FromSeconds(6);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LabOptions DualStack => new() { Ipv6 = true };

    [Theory]
    [InlineData(LabMode.Masquerade)]
    [InlineData(LabMode.Renumber)]
    [InlineData(LabMode.Blackhole)]
    [InlineData(LabMode.Mwan3)]
    public async Task Fresh_stun_over_both_families_follows_failover_and_failback(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, DualStack, Ct);
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.LanIpv6Wan1, await lab.StunAsync("2001:db8:f::10", Ct));

        var over = await lab.FailoverAsync(Ct);
        Assert.Equal(lab.FailedOverAddress, over.ExpectedPublicAddress);
        Assert.Equal(lab.FailedOverIpv6, over.ExpectedPublicIpv6);
        Assert.Equal(lab.FailedOverAddress, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(lab.FailedOverAddress, await lab.StunAsync("203.0.113.11", Ct));
        if (lab.FailedOverIpv6 is { } newAddress)
        {
            Assert.True(await lab.WaitForLanIpv6Async(newAddress, AddressTimeout, Ct), $"no {newAddress} on the LAN host");
            var old = (await lab.LanIpv6AddressesAsync(Ct)).Where(a => a.Address == FailoverLab.LanIpv6Wan1).ToList();
            Assert.True(old.Count == 0 || old[0].Deprecated, "the old prefix's address should be deprecated at once");
            Assert.Equal(newAddress, await lab.StunAsync("2001:db8:f::10", Ct));
            Assert.Equal(newAddress, await lab.StunAsync("2001:db8:f::11", Ct));
        }
        else
        {
            Assert.Null(await lab.StunAsync("2001:db8:f::10", Ct));
        }

        var back = await lab.FailbackAsync(Ct);
        Assert.Equal(FailoverLab.LanIpv6Wan1, back.ExpectedPublicIpv6);
        Assert.True(await lab.WaitForLanIpv6Async(FailoverLab.LanIpv6Wan1, AddressTimeout, Ct), "WAN1's prefix did not come back");
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.LanIpv6Wan1, await lab.StunAsync("2001:db8:f::10", Ct));
    }

    [Fact]
    public async Task Servers_answer_over_ipv6_and_see_the_new_prefix()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, DualStack, Ct);
        var key = await lab.StartDnsAsync(Ct);
        var echo = await lab.StartHttpEchoAsync(Ct);
        var pdns = await lab.StartPowerDnsAsync(Ct);
        Assert.NotNull(echo.Https6);
        Assert.NotNull(pdns.DnsAddress6);

        // BIND answers AAAA over IPv6, and takes an AAAA update signed with the lab's key.
        Assert.Equal(FailoverLab.LanIpv6Wan1, await lab.DigFromLanAsync("2001:db8:f::53", "gw.home.test", "AAAA", Ct));
        Assert.Equal(FailoverLab.LanIpv6Wan1, await lab.HttpGetFromLanAsync(echo.Https6.ToString(), Ct));
        Assert.Equal(FailoverLab.LanIpv6Wan1, await lab.DigFromLanAsync(pdns.DnsAddress6, pdns.WhoamiName, "AAAA", Ct));

        await lab.FailoverAsync(Ct);
        Assert.True(await lab.WaitForLanIpv6Async(FailoverLab.LanIpv6Wan2, AddressTimeout, Ct));
        Assert.Equal(FailoverLab.LanIpv6Wan2, await lab.HttpGetFromLanAsync(echo.Https6.ToString(), Ct));
        Assert.Equal(FailoverLab.LanIpv6Wan2, await lab.DigFromLanAsync(pdns.DnsAddress6, pdns.WhoamiName, "AAAA", Ct));
        Assert.Equal($"\"{FailoverLab.LanIpv6Wan2}\"", await lab.DigFromLanAsync(pdns.DnsAddress6, pdns.WhoamiName, "TXT", Ct));
        // IPv4 through the same servers is unchanged by dual stack.
        Assert.Equal(FailoverLab.Wan2Address, await lab.HttpGetFromLanAsync(echo.Https.ToString(), Ct));
        Assert.Equal(FailoverLab.Wan2Address, await lab.DigFromLanAsync(pdns.DnsAddress, pdns.WhoamiName, "A", Ct));

        var update = $"server 2001:db8:f::53\nzone home.test\nupdate delete gw.home.test AAAA\nupdate add gw.home.test 60 AAAA {FailoverLab.LanIpv6Wan2}\nsend\n";
        var r = await lab.ExecAsync("lan", ["bash", "-c", $"printf '{update.Replace("\n", "\\n", StringComparison.Ordinal)}' | nsupdate -k {key}"], Ct);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(FailoverLab.LanIpv6Wan2, await lab.DigFromLanAsync("2001:db8:f::53", "gw.home.test", "AAAA", Ct));
    }
}
