using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// `rebound run` in the LAN host keeps gw.home.test on the public address through a renumbering,
/// with RFC 2136 + TSIG to a real BIND in the lab's internet, verified at that server.
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

    private static void AssertUpdated(ReboundEvent e, string address)
    {
        Assert.True(e.Name == "ddns-updated", $"expected ddns-updated, got {e.Line}");
        Assert.Equal("gw.home.test", e.GetString("name"));
        Assert.Equal(address, e.GetString("address"));
        Assert.Equal("rfc2136", e.GetString("provider"));
        Assert.True(e.Root.GetProperty("verified").GetBoolean(), e.Line);
    }
}
