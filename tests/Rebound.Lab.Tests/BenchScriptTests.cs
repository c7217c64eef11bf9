using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>The helpers of bench/detection.sh and bench/lib/heal.sh, sourced on their own (BENCH_LIB=1); no lab needed.</summary>
public sealed class BenchScriptTests
{
    private static async Task<string> BenchAsync(string script, string file = "detection.sh")
    {
        if (!File.Exists("/usr/bin/jq"))
        {
            if (LabEnvironment.LabRequired)
            {
                Assert.Fail("jq is missing (run scripts/install-deps)");
            }

            Assert.Skip("jq is missing (run scripts/install-deps)");
        }

        var bench = Path.Combine(LabEnvironment.RepoRoot, "bench", file);
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

    private const string PingLog = """
        [100.000000] 64 bytes from 10.42.0.2: icmp_seq=1 ttl=64 time=0.5 ms
        [100.500000] no answer yet for icmp_seq=2
        [100.550000] no answer yet for icmp_seq=3
        [101.250000] 64 bytes from 10.42.0.2: icmp_seq=4 ttl=64 time=0.6 ms
        [101.300000] 64 bytes from 10.42.0.2: icmp_seq=5 ttl=64 time=0.6 ms
        """;

    [Fact]
    public async Task Restored_is_the_first_answer_after_a_gap_after_the_switch()
    {
        Assert.Equal("101.250000", await BenchAsync($"restored_at 100.2 <<'EOF'\n{PingLog}\nEOF", "lib/heal.sh"));
        // Answers right after the switch with no gap: restored at the switch itself.
        Assert.Equal("101.260000", await BenchAsync($"restored_at 101.26 <<'EOF'\n{PingLog}\nEOF", "lib/heal.sh"));
        // Nothing answered after the switch: not restored.
        Assert.Equal("", await BenchAsync($"restored_at 101.4 <<'EOF'\n{PingLog}\nEOF", "lib/heal.sh"));
    }

    [Fact]
    public async Task Heal_latency_is_clamped_at_zero_and_the_table_counts_unrestored_switches()
    {
        Assert.Equal("0", await BenchAsync("ms_between 100.5 100.2", "lib/heal.sh"));
        Assert.Equal("1050", await BenchAsync("ms_between 100.2 101.25", "lib/heal.sh"));
        var table = await BenchAsync(
            "f=$(mktemp); printf '%s\\n' h pinned,failover,1,1,2,800 pinned,failback,1,3,4,200 pinned,failover,2,5,, >\"$f\"; heal_table \"$f\"; rm \"$f\"",
            "lib/heal.sh");
        Assert.Equal("""
            | direction | restored | p50 ms | p95 ms | max ms |
            |---|---|---|---|---|
            | failover | 1/2 | 800 | 800 | 800 |
            | failback | 1/1 | 200 | 200 | 200 |
            """, table);
    }
}
