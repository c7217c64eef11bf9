using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// Trust the server, not the cache: gw.home.test is changed at the lab's BIND behind the agent's back (nsupdate with
/// the same key), once while it is stopped and once while it runs. The cache still says the address was sent, so
/// only asking BIND finds the difference: at start, and on the entry's drift_check schedule.
/// </summary>
public sealed class RunDdnsDriftTests
{
    private const string Foreign = "192.0.2.99";
    private const string Foreign2 = "192.0.2.98";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_record_changed_behind_the_agents_back_is_put_right_at_start_and_on_the_schedule()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var keyFile = await lab.StartDnsAsync(Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-drift-");
        try
        {
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, FailoverLab.DdnsConfig($"{dir.FullName}/state", keyFile) + "\ndrift_check = \"2s\"\n", Ct);
            string[] args = ["run", "--config", config, "--json"];

            await using (var rebound = ReboundProcess.StartInLan(lab, args))
            {
                await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
                var first = await NextDdnsAsync(rebound, "ddns-updated at start");
                Assert.False(first.Root.GetProperty("drift").GetBoolean(), first.Line);
            }

            // Stopped: the record is changed at the server; the cache on disk still says WAN1's address was sent.
            await SetBehindTheBackAsync(lab, keyFile, Foreign);

            await using (var again = ReboundProcess.StartInLan(lab, args))
            {
                await again.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
                var corrected = await NextDdnsAsync(again, "ddns-updated (drift) at start");
                Assert.True(corrected.Root.GetProperty("drift").GetBoolean(), corrected.Line);
                Assert.Equal(FailoverLab.Wan1Address, await lab.DigAsync("gw.home.test", Ct));

                // Running: found on the next scheduled check (every 2 s here), not at the 7-day refresh.
                await again.AssertQuietAsync(TimeSpan.FromSeconds(3), "while the record is current", Ct);
                await SetBehindTheBackAsync(lab, keyFile, Foreign2);
                var changedAt = DateTimeOffset.UtcNow;
                var scheduled = await NextDdnsAsync(again, "ddns-updated (drift) on the schedule");
                Assert.True(scheduled.Root.GetProperty("drift").GetBoolean(), scheduled.Line);
                Assert.InRange(scheduled.Received - changedAt, TimeSpan.Zero, TimeSpan.FromSeconds(6));
                Assert.Equal(FailoverLab.Wan1Address, await lab.DigAsync("gw.home.test", Ct));
                TestContext.Current.TestOutputHelper?.WriteLine($"corrected {(scheduled.Received - changedAt).TotalMilliseconds:F0} ms after the change");

                Assert.Equal(FailoverLab.Wan1Address, await lab.DigAsync("vpn.home.test", Ct));
                Assert.Equal("203.0.113.80", await lab.DigAsync("www.home.test", Ct));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The next event must be a verified ddns-updated of gw.home.test back to WAN1's address.</summary>
    private static async Task<ReboundEvent> NextDdnsAsync(ReboundProcess rebound, string expectation)
    {
        var e = await rebound.WaitForAsync(x => x.Name.StartsWith("ddns-", StringComparison.Ordinal) && x.Name != "ddns-warning",
            TimeSpan.FromSeconds(20), expectation, Ct);
        Assert.True(e.Name == "ddns-updated", $"expected {expectation}, got {e.Line}");
        Assert.Equal("gw.home.test", e.GetString("name"));
        Assert.Equal(FailoverLab.Wan1Address, e.GetString("address"));
        Assert.True(e.Root.GetProperty("verified").GetBoolean(), e.Line);
        return e;
    }

    /// <summary>nsupdate from the internet namespace, as an admin would; checked at BIND before going on.</summary>
    private static async Task SetBehindTheBackAsync(FailoverLab lab, string keyFile, string address)
    {
        var script = $"server 203.0.113.53\nzone home.test\nupdate delete gw.home.test A\nupdate add gw.home.test 60 A {address}\nsend\n";
        var r = await lab.ExecAsync("internet", ["sh", "-c", $"printf '{script.Replace("\n", "\\n", StringComparison.Ordinal)}' | nsupdate -k {keyFile}"], Ct);
        Assert.True(r.ExitCode == 0, $"nsupdate: {r.Stderr}");
        Assert.Equal(address, await lab.DigAsync("gw.home.test", Ct));
    }
}
