using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// `rebound watch` with STUN and the lab's real HTTP echo (nginx): a pooling carrier NAT after a pinned
/// failover is reported as an ambiguous change, and STUN blocked at the router is sources-degraded, never an outage.
/// With real miniupnpd on the router the gateway's NAT-PMP and UPnP answers corroborate STUN but never decide alone;
/// with real PowerDNS (LUA whoami records) the dns: sources follow a failover and a failback.
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

    [Fact]
    public async Task Miniupnpd_reports_the_wan_address_which_corroborates_stun_but_never_decides_alone()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var upnp = await lab.StartMiniupnpdAsync(Ct);
        Assert.Equal(new GatewayView(FailoverLab.Wan1Address, FailoverLab.Wan1Address), await lab.GatewayExternalAddressAsync(Ct));

        // One STUN server and the two hints; a long interval, so that the round after the failover is the one the
        // restarted miniupnpd's PCP announcement starts (it answers by then), not a routine one racing its restart.
        await using var rebound = ReboundProcess.StartInLan(lab,
            ["watch", "--server", FailoverLab.Stun1, "--server", "natpmp:10.77.0.1", "--server", $"upnp:{upnp}", "--interval", "10s", "--json"]);
        var started = await rebound.NextEventAsync(StartTimeout, "started", Ct);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));

        // A lone STUN answer needs a second round; the gateway's two answers of the same address confirm it in one.
        await lab.FailoverAsync(Ct);
        var over = await rebound.NextEventAsync(DetectTimeout, "public-address-changed", Ct);
        Assert.Equal("public-address-changed", over.Name);
        Assert.Equal(FailoverLab.Wan2Address, over.GetString("new"));
        Assert.Equal(1, over.Root.GetProperty("evidence").GetProperty("rounds").GetInt32());
        var seen = EvidenceAnswers(over);
        Assert.Equal(FailoverLab.Wan2Address, seen["nat-pmp"]);
        Assert.Equal(FailoverLab.Wan2Address, seen["upnp"]);
        Assert.Equal(FailoverLab.Wan2Address, seen["stun"]);

        // STUN blocked, then failback: the gateway reports the new WAN address, but alone it decides nothing.
        await lab.BlockStunAsync(true, Ct);
        await lab.FailbackAsync(Ct);
        var lost = await rebound.NextEventAsync(DetectTimeout, "upstream-lost (the hints alone are no answer)", Ct);
        Assert.Equal("upstream-lost", lost.Name);
        seen = EvidenceAnswers(lost);
        Assert.Null(seen["stun"]);
        Assert.Equal(FailoverLab.Wan1Address, seen["nat-pmp"]);
        Assert.Equal(FailoverLab.Wan1Address, seen["upnp"]);
        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), "while only the gateway answers", Ct);

        await lab.BlockStunAsync(false, Ct);
        var restored = await rebound.NextEventAsync(TimeSpan.FromSeconds(25), "upstream-restored", Ct);
        Assert.Equal("upstream-restored", restored.Name);
        Assert.Equal(FailoverLab.Wan1Address, restored.GetString("address"));
    }

    [Fact]
    public async Task Dns_whoami_sources_at_powerdns_follow_a_failover_and_a_failback()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var pdns = await lab.StartPowerDnsAsync(Ct);
        string[] args =
        [
            "watch", "--server", $"dns:{pdns.WhoamiName}@{pdns.DnsAddress}/A", "--server", $"dns:{pdns.WhoamiName}@{pdns.DnsAddress}/TXT",
            "--interval", "1s", "--json",
        ];
        await using var rebound = ReboundProcess.StartInLan(lab, args);
        var started = await rebound.NextEventAsync(StartTimeout, "started", Ct);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));
        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), "before failover", Ct);

        foreach (var (step, expected) in new (Func<CancellationToken, Task<LabSwitch>>, string)[]
                 { (lab.FailoverAsync, FailoverLab.Wan2Address), (lab.FailbackAsync, FailoverLab.Wan1Address) })
        {
            await step(Ct);
            var change = await rebound.NextEventAsync(DetectTimeout, $"public-address-changed to {expected}", Ct);
            Assert.Equal("public-address-changed", change.Name);
            Assert.Equal(expected, change.GetString("new"));
            Assert.Equal(expected, EvidenceAnswers(change)["dns"]);
            await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), $"after the change to {expected}", Ct);
        }
    }

    /// <summary>The address each kind of source reported in an event's evidence (the last of its kind).</summary>
    private static Dictionary<string, string?> EvidenceAnswers(ReboundEvent e)
    {
        var answers = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var s in e.Root.GetProperty("evidence").GetProperty("servers").EnumerateArray())
        {
            var address = s.GetProperty("address");
            answers[s.GetProperty("kind").GetString()!] = address.ValueKind == System.Text.Json.JsonValueKind.Null ? null : address.GetString();
        }

        return answers;
    }
}
