using System.Globalization;
using System.Text;
using Rebound.Lab.Tests.Harness;
using Rebound.Lab.Tests.Heal;

namespace Rebound.Lab.Tests.Tailscale;

/// <summary>
/// The measurement behind <c>bench/heal-tailscale.sh</c> (skipped unless it sets REBOUND_BENCH_TAILSCALE_OUT): two
/// labs side by side, each with the fake tailscaled on its LAN host, one stock and one with <c>rebound run</c> and
/// <c>[tailscale]</c>; both switched at the same moment, failover then failback, for REBOUND_BENCH_CYCLES cycles.
/// Per switch and side: when the direct path came back (the first pong to a ping sent after the switch) and when
/// control did (the server first heard on a connection opened after the switch), or nothing within the timeout.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TailscaleHealBench(ITestOutputHelper output)
{
    /// <summary>Past tailscaled's own 120 s deadlines, so the stock side's control reconnect is seen.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(130);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stock_and_rebound_side_by_side()
    {
        var outDir = Environment.GetEnvironmentVariable("REBOUND_BENCH_TAILSCALE_OUT");
        Assert.SkipWhen(string.IsNullOrEmpty(outDir), "a benchmark: run bench/heal-tailscale.sh");
        var cycles = int.Parse(Environment.GetEnvironmentVariable("REBOUND_BENCH_CYCLES") ?? "3", CultureInfo.InvariantCulture);
        var mode = Enum.Parse<LabMode>(Environment.GetEnvironmentVariable("REBOUND_BENCH_MODE") ?? "Pinned", ignoreCase: true);
        var samples = new StringBuilder("side,direction,cycle,switch_time,direct_ms,control_ms\n");

        await using var stockLab = await FailoverLab.StartAsync(mode, Ct);
        await using var stockNet = await FakeTailnet.StartAsync(stockLab, cancellationToken: Ct);
        await using var stock = await FakeTailscaled.StartAsync(stockLab);
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        await using var net = await FakeTailnet.StartAsync(lab, cancellationToken: Ct);
        await using var healed = await FakeTailscaled.StartAsync(lab);
        var state = Path.Combine(outDir!, "state");
        Directory.CreateDirectory(state);
        var config = FlowHealLabTests.WriteConfig(state, $"""
            [tailscale]
            socket = "{healed.SocketPath}"
            restart_command = ["/bin/sh", "-c", "echo restart >> '{healed.RestartRequestPath}'"]
            ping_peers = ["{FakeTailnet.PeerTailscaleIp}"]
            """);
        File.Copy(config, Path.Combine(outDir!, "rebound.toml"), overwrite: true);
        await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
        await rebound.WaitForAsync(e => e.Name == "heal-skipped" && e.GetString("target") == "tailscale", TimeSpan.FromSeconds(20), "startup diagnosis", Ct);

        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            foreach (var direction in new[] { "failover", "failback" })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1000, 3000)), Ct);
                var switches = await Task.WhenAll(
                    direction == "failover" ? stockLab.FailoverAsync(Ct) : stockLab.FailbackAsync(Ct),
                    direction == "failover" ? lab.FailoverAsync(Ct) : lab.FailbackAsync(Ct));
                var sides = new[] { ("stock", stock, switches[0].Time), ("rebound", healed, switches[1].Time) };
                var until = DateTimeOffset.UtcNow + Timeout;
                while (DateTimeOffset.UtcNow < until && !sides.All(s => s.Item2.DirectBackAt(s.Item3) is not null && s.Item2.ControlBackAt(s.Item3) is not null))
                    await Task.Delay(50, Ct);
                foreach (var (side, daemon, at) in sides)
                {
                    var line = $"{side},{direction},{cycle},{at.ToUnixTimeMilliseconds() / 1000.0:0.000},{Ms(daemon.DirectBackAt(at), at)},{Ms(daemon.ControlBackAt(at), at)}";
                    samples.AppendLine(line);
                    output.WriteLine(line);
                }

                await File.WriteAllTextAsync(Path.Combine(outDir!, "samples.csv"), samples.ToString(), Ct);
            }
        }

        await File.WriteAllTextAsync(Path.Combine(outDir!, "actions.txt"), $"stock: {string.Join(" ", stock.Actions)}\nrebound: {string.Join(" ", healed.Actions)}\n", Ct);
    }

    private static string Ms(DateTimeOffset? back, DateTimeOffset at) =>
        back is { } t ? Math.Max(0, (t - at).TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture) : "";
}
