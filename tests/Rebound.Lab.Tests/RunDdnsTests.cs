using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// `rebound run` in the LAN host keeps gw.home.test on the public address through a renumbering,
/// with RFC 2136 + TSIG to a real BIND in the lab's internet, verified at that server; in a dual-stack lab
/// (no NAT66) the AAAA record follows the new delegated prefix on failover and the old one on failback.
/// </summary>
public sealed class RunDdnsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_record_follows_the_failover_and_nothing_else_in_the_zone_changes()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Renumber, Ct);
        var keyFile = await lab.StartDnsAsync(Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-run-");
        try
        {
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, FailoverLab.DdnsConfig($"{dir.FullName}/state", keyFile), Ct);
            string[] args = ["run", "--config", config, "--json"];

            await using (var rebound = ReboundProcess.StartInLan(lab, args))
            {
                await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
                var first = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "ddns-updated at start", Ct);
                AssertUpdated(first, FailoverLab.Wan1Address);

                await lab.FailoverAsync(Ct);
                var changed = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "public-address-changed", Ct);
                Assert.Equal("public-address-changed", changed.Name);
                var updated = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "ddns-updated after failover", Ct);
                AssertUpdated(updated, FailoverLab.Wan1Renumbered);
                Assert.True(updated.Root.GetProperty("elapsedMs").GetInt64() >= 0);

                Assert.Equal(FailoverLab.Wan1Renumbered, await lab.DigAsync("gw.home.test", Ct));
                Assert.Equal(FailoverLab.Wan1Address, await lab.DigAsync("vpn.home.test", Ct));
                Assert.Equal("203.0.113.80", await lab.DigAsync("www.home.test", Ct));
                await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), "after the update", Ct);
            }

            // Restarted on the same address: the cache says the record is current, so nothing is sent.
            await using (var again = ReboundProcess.StartInLan(lab, args))
            {
                await again.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
                await again.AssertQuietAsync(TimeSpan.FromSeconds(4), "after a restart on an unchanged address", Ct);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task In_a_dual_stack_lab_the_aaaa_record_follows_the_new_delegated_prefix_and_back()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, new LabOptions { Ipv6 = true }, Ct);
        var keyFile = await lab.StartDnsAsync(Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-run6-");
        try
        {
            var config = Path.Combine(dir.FullName, "rebound.toml");
            var text = FailoverLab.DdnsConfig($"{dir.FullName}/state", keyFile)
                .Replace($"servers = [\"{FailoverLab.Stun1}\", \"{FailoverLab.Stun2}\"]",
                    $"servers = [\"{FailoverLab.Stun1}\", \"{FailoverLab.Stun2}\", \"{FailoverLab.Stun1V6}\", \"{FailoverLab.Stun2V6}\"]", StringComparison.Ordinal)
                .Replace("families = [\"ipv4\"]", "families = [\"ipv4\", \"ipv6\"]", StringComparison.Ordinal);
            Assert.Contains("\"ipv6\"]", text, StringComparison.Ordinal);
            Assert.Contains(FailoverLab.Stun2V6, text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(config, text, Ct);

            await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            var started = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
            Assert.Equal(FailoverLab.LanIpv6Wan1, started.GetString("addresses", "ipv6"));

            // The zone starts with gw's AAAA on WAN1's prefix: an AAAA ddns-updated now would be a needless write,
            // so only the A record's (or none) may come; then the failover moves both, each verified at BIND.
            foreach (var (step, v4, v6) in new (Func<CancellationToken, Task<LabSwitch>>, string, string)[]
                     {
                         (lab.FailoverAsync, FailoverLab.Wan2Address, FailoverLab.LanIpv6Wan2),
                         (lab.FailbackAsync, FailoverLab.Wan1Address, FailoverLab.LanIpv6Wan1),
                     })
            {
                var switched = await step(Ct);
                Assert.Equal(v6, switched.ExpectedPublicIpv6);
                var updated = new Dictionary<string, string?>(StringComparer.Ordinal);
                while (!(updated.GetValueOrDefault("ipv4") == v4 && updated.GetValueOrDefault("ipv6") == v6))
                {
                    var e = await rebound.WaitForAsync(x => x.Name is "ddns-updated" or "ddns-failed", TimeSpan.FromSeconds(30), $"ddns-updated to {v4} and {v6}", Ct);
                    Assert.True(e.Name == "ddns-updated", e.Line);
                    Assert.True(e.Root.GetProperty("verified").GetBoolean(), e.Line);
                    var address = e.GetString("address")!;
                    updated[address.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4"] = address;
                }

                Assert.Equal(v4, await lab.DigAsync("gw.home.test", Ct));
                Assert.Equal(v6, (await lab.ExecAsync("internet", ["dig", "+short", "@203.0.113.53", "gw.home.test", "AAAA"], Ct)).Stdout.Trim());
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void AssertUpdated(ReboundEvent e, string address)
    {
        Assert.True(e.Name == "ddns-updated", $"expected ddns-updated, got {e.Line}");
        Assert.Equal("gw.home.test", e.GetString("name"));
        Assert.Equal(address, e.GetString("address"));
        Assert.Equal("rfc2136", e.GetString("provider"));
        Assert.True(e.Root.GetProperty("verified").GetBoolean(), e.Line);
    }
}
