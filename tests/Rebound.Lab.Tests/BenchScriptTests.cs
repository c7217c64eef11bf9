using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>The helpers of bench/detection.sh, sourced on their own (BENCH_LIB=1); no lab needed.</summary>
public sealed class BenchScriptTests
{
    private static async Task<string> BenchAsync(string script)
    {
        if (!File.Exists("/usr/bin/jq"))
        {
            if (LabEnvironment.LabRequired)
            {
                Assert.Fail("jq is missing (run scripts/install-deps)");
            }

            Assert.Skip("jq is missing (run scripts/install-deps)");
        }

        var bench = Path.Combine(LabEnvironment.RepoRoot, "bench", "detection.sh");
        var r = await ProcessRunner.RunAsync(
            "bash", ["-c", $"BENCH_LIB=1 source '{bench}'; {script}"], TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return r.Stdout.Trim();
    }

    [Fact]
    public async Task Event_time_becomes_unix_seconds_with_milliseconds() =>
        Assert.Equal("1795668000.123", await BenchAsync("""event_epoch '{"time":"2026-11-26T04:40:00.123Z","event":"started"}'"""));

    [Fact]
    public async Task Latency_is_event_minus_switch_in_milliseconds() =>
        Assert.Equal("223", await BenchAsync("ms_between 1795667999.899876543 1795668000.123"));

    [Fact]
    public async Task Expected_events_match_only_with_the_right_addresses()
    {
        const string Changed = """'{"event":"public-address-changed","family":"ipv4","old":"198.51.100.2","new":"192.0.2.2"}'""";
        Assert.Equal("yes", await BenchAsync($"matches {Changed} changed:198.51.100.2:192.0.2.2 && echo yes"));
        Assert.Equal("no", await BenchAsync($"matches {Changed} changed:192.0.2.2:198.51.100.2 || echo no"));
        Assert.Equal("no", await BenchAsync($"matches {Changed} lost || echo no"));
        Assert.Equal("yes", await BenchAsync("""matches '{"event":"upstream-lost","family":"ipv4"}' lost && echo yes"""));
        Assert.Equal("yes", await BenchAsync(
            """matches '{"event":"upstream-restored","family":"ipv4","address":"198.51.100.2"}' restored:198.51.100.2 && echo yes"""));
        Assert.Equal("no", await BenchAsync("""matches '{"event":"upstream-lost","family":"ipv6"}' lost || echo no"""));
    }

    [Fact]
    public async Task Percentiles_are_nearest_rank()
    {
        Assert.Equal("3", await BenchAsync("printf '%s\\n' 5 1 4 2 3 | percentile 50"));
        Assert.Equal("19", await BenchAsync("seq 1 20 | percentile 95"));
        Assert.Equal("20", await BenchAsync("seq 1 20 | percentile 100"));
        Assert.Equal("-", await BenchAsync("true | percentile 50"));
        Assert.Equal("-", await BenchAsync("echo '' | percentile 50"));
    }
}
