using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// `rebound ddns update` in the LAN host against a real BIND in the lab's internet (RFC 2136 + TSIG,
/// verified at that server): after a renumbering it publishes the new address once, a second run
/// sends nothing, and a dry run after the failback reports what it would send and changes nothing.
/// </summary>
public sealed class DdnsUpdateCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publishes_once_then_is_current_and_a_dry_run_changes_nothing()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Renumber, Ct);
        var keyFile = await lab.StartDnsAsync(Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-once-");
        try
        {
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, FailoverLab.DdnsConfig($"{dir.FullName}/state", keyFile), Ct);

            await SwitchAsync(lab, failover: true);
            var first = await UpdateAsync(lab, "--config", config);
            Assert.True(first.ExitCode == 0, Describe(first));
            Assert.Contains($"ddns-updated gw.home.test -> {FailoverLab.Wan1Renumbered} via rfc2136", first.Stdout, StringComparison.Ordinal);
            Assert.Contains("(published)", first.Stdout, StringComparison.Ordinal);
            Assert.Equal(FailoverLab.Wan1Renumbered, await lab.DigAsync("gw.home.test", Ct));
            Assert.Equal(FailoverLab.Wan1Address, await lab.DigAsync("vpn.home.test", Ct));
            Assert.Equal("203.0.113.80", await lab.DigAsync("www.home.test", Ct));

            // Run again on the same address: the cache says the record is current, nothing is sent.
            var again = await UpdateAsync(lab, "--config", config);
            Assert.True(again.ExitCode == 0, Describe(again));
            Assert.Contains($"gw.home.test A {FailoverLab.Wan1Renumbered} is current (sent ", again.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("ddns-updated", again.Stdout, StringComparison.Ordinal);

            // Back on the first address: a dry run says what it would send, and BIND keeps the old one.
            await SwitchAsync(lab, failover: false);
            var cache = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "state", "ddns-cache.json"), Ct);
            var dry = await UpdateAsync(lab, "--config", config, "--dry-run");
            Assert.True(dry.ExitCode == 0, Describe(dry));
            Assert.Contains($"would send gw.home.test A {FailoverLab.Wan1Address} via rfc2136", dry.Stdout, StringComparison.Ordinal);
            Assert.Equal(FailoverLab.Wan1Renumbered, await lab.DigAsync("gw.home.test", Ct));
            Assert.Equal(cache, await File.ReadAllTextAsync(Path.Combine(dir.FullName, "state", "ddns-cache.json"), Ct));

            // And for real, in JSON Lines: one verified ddns-updated.
            var json = await UpdateAsync(lab, "--config", config, "--json");
            Assert.True(json.ExitCode == 0, Describe(json));
            var line = Assert.Single(json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("\"event\":\"ddns-updated\"", line, StringComparison.Ordinal);
            Assert.Contains($"\"address\":\"{FailoverLab.Wan1Address}\"", line, StringComparison.Ordinal);
            Assert.Contains("\"verified\":true", line, StringComparison.Ordinal);
            Assert.Equal(FailoverLab.Wan1Address, await lab.DigAsync("gw.home.test", Ct));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Describe(CommandResult r) => $"exit {r.ExitCode}\nstdout:\n{r.Stdout}\nstderr:\n{r.Stderr}";

    private static Task<CommandResult> UpdateAsync(FailoverLab lab, params string[] args) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", lab.LanNamespace, .. ReboundProcess.CliCommand(), "ddns", "update", .. args], TimeSpan.FromSeconds(90), Ct);

    /// <summary>Switches the router and waits until a fresh STUN request sees the new public address.</summary>
    private static async Task SwitchAsync(FailoverLab lab, bool failover)
    {
        var result = failover ? await lab.FailoverAsync(Ct) : await lab.FailbackAsync(Ct);
        var expected = result.ExpectedPublicAddress;
        Assert.NotNull(expected);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (await lab.StunAsync(cancellationToken: Ct) != expected)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the public address did not become {expected}");
            await Task.Delay(200, Ct);
        }
    }
}
