using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// The real CLI, `rebound watch --json`, in the lab's LAN host, through a failover and a failback
/// in each mode: exactly the right event each time, and nothing spurious in between.
/// </summary>
public sealed class WatchTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DetectTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan LossTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Masquerade)]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Renumber)]
    [InlineData(LabMode.Blackhole)]
    public async Task Watch_reports_failover_and_failback_exactly(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        await using var rebound = ReboundProcess.StartInLan(lab);

        var started = await rebound.NextEventAsync(StartTimeout, "started", Ct);
        started.AssertEnvelope();
        Assert.Equal("started", started.Name);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));
        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(3), "before failover", Ct);

        // Failover.
        var over = await lab.FailoverAsync(Ct);
        var expected = lab.FailedOverAddress;
        var e = await rebound.NextEventAsync(
            expected is null ? LossTimeout : DetectTimeout,
            expected is null ? "upstream-lost" : $"public-address-changed to {expected}",
            Ct);
        e.AssertEnvelope();
        if (expected is null)
        {
            AssertUpstreamLost(e);
        }
        else
        {
            AssertAddressChanged(e, FailoverLab.Wan1Address, expected);
        }

        Report("failover", mode, e, over);
        await rebound.AssertQuietAsync(Quiet, $"after failover ({e.Name})", Ct);

        // Failback.
        var back = await lab.FailbackAsync(Ct);
        e = await rebound.NextEventAsync(
            DetectTimeout,
            expected is null ? "upstream-restored" : $"public-address-changed back to {FailoverLab.Wan1Address}",
            Ct);
        e.AssertEnvelope();
        if (expected is null)
        {
            Assert.True(e.Name == "upstream-restored", $"expected upstream-restored, got {e.Line}");
            Assert.Equal("ipv4", e.GetString("family"));
            Assert.Equal(FailoverLab.Wan1Address, e.GetString("address"));
        }
        else
        {
            AssertAddressChanged(e, expected, FailoverLab.Wan1Address);
        }

        Report("failback", mode, e, back);
        await rebound.AssertQuietAsync(Quiet, $"after failback ({e.Name})", Ct);
    }

    [Fact]
    public async Task Watch_with_unreachable_servers_reports_upstream_lost_and_keeps_running()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        // Nothing listens on 203.0.113.99 and the internet namespace does not forward: probes vanish.
        await using var rebound = ReboundProcess.StartInLan(
            lab, ["watch", "--server", "203.0.113.99:3478", "--interval", "1s", "--json"]);

        var lost = await rebound.WaitForAsync(
            e =>
            {
                e.AssertEnvelope();
                Assert.True(e.Name is "started" or "upstream-lost", $"unexpected event: {e.Line}");
                if (e.Name == "started")
                {
                    Assert.Null(e.GetString("addresses", "ipv4"));
                }

                return e.Name == "upstream-lost";
            },
            LossTimeout,
            "upstream-lost",
            Ct);
        Assert.Equal("ipv4", lost.GetString("family"));

        // Still running, and not repeating itself.
        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(5), "after upstream-lost", Ct);
    }

    [Fact]
    public async Task Watch_with_a_bad_server_exits_2_with_one_line_on_stderr()
    {
        await using var rebound = ReboundProcess.StartHere(["watch", "--server", "not a server", "--json"]);
        var code = await rebound.WaitForExitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.True(code == 2, $"expected exit code 2.\n{rebound.Diagnostics()}");
        var lines = rebound.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr.\n{rebound.Diagnostics()}");
    }

    private static void AssertAddressChanged(ReboundEvent e, string from, string to)
    {
        Assert.True(e.Name == "public-address-changed", $"expected public-address-changed {from} -> {to}, got {e.Line}");
        Assert.Equal("ipv4", e.GetString("family"));
        Assert.Equal(from, e.GetString("old"));
        Assert.Equal(to, e.GetString("new"));
        Assert.True(e.Has("evidence"), $"no evidence: {e.Line}");
    }

    private static void AssertUpstreamLost(ReboundEvent e)
    {
        Assert.True(e.Name == "upstream-lost", $"expected upstream-lost, got {e.Line}");
        Assert.Equal("ipv4", e.GetString("family"));
    }

    private static void Report(string what, LabMode mode, ReboundEvent e, LabSwitch sw)
    {
        var latency = e.Time - sw.Time;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{FailoverLab.ModeName(mode)} {what}: {e.Name} {latency.TotalMilliseconds:F0} ms after the switch");
        // The event's time can precede the switch only by a probe already in flight.
        Assert.True(latency > TimeSpan.FromSeconds(-1), $"event time {e.Time:O} is before the switch {sw.Time:O}");
    }
}
