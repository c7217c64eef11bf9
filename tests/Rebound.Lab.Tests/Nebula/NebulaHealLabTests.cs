using System.Diagnostics;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Nebula;

/// <summary>
/// Real Nebula 1.6 (lab.sh nebula) with <c>rebound run</c> and a <c>[[nebula]]</c> entry on the LAN host: after a
/// failover that pins the node's fixed-port flows (static SNAT, mwan3-style marks), where stock Nebula stays down
/// (StockNebulaBaselineTests), the tunnel answers again through the overlay, nebula untouched.
/// </summary>
public sealed class NebulaHealLabTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Mwan3)]
    public async Task Rebound_heals_nebula_after_a_failover_that_pins_its_flows(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        await using var nebula = await NebulaMesh.UpAsync(lab, Ct);
        var dir = Directory.CreateTempSubdirectory("rebound-nebula-lab-");
        try
        {
            var config = Path.Combine(dir.FullName, "rebound.toml");
            await File.WriteAllTextAsync(config, $"""
                [watch]
                servers = ["{FailoverLab.Stun1}", "{FailoverLab.Stun2}"]
                interval = "1s"

                [state]
                directory = "{dir.FullName}/state"

                [[nebula]]
                config = "{nebula.LanConfigFile}"
                verify_ping = ["{NebulaMesh.Peer}"]
                """, Ct);
            await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
            Assert.True(await nebula.LanPingsAsync(NebulaMesh.Peer, Ct));

            var failover = await lab.FailoverAsync(Ct);
            var started = await rebound.WaitForAsync(e => e.Name == "heal-started", TimeSpan.FromSeconds(15), "heal-started after the failover", Ct);
            output.WriteLine(started.Line);
            Assert.Equal("flow-pinned", started.GetString("diagnosis"));
            var verified = await rebound.WaitForAsync(e => e.Name == "heal-verified", TimeSpan.FromSeconds(15), "heal-verified", Ct);
            output.WriteLine(verified.Line);
            Assert.Equal("hop-port", verified.GetString("action"));
            var restored = verified.Time - failover.Time;
            output.WriteLine($"restored {restored.TotalMilliseconds:0} ms after the switch");
            Assert.True(restored < TimeSpan.FromSeconds(5), $"took {restored}");

            // Keeps working (the healed flows stay translated), to the lighthouse as well. Right after the hop the peer
            // may roam once more (seen in the peer's log: a second new port within the same second), so the steady
            // check starts 2 s later.
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                Assert.True(await nebula.LanPingsAsync(NebulaMesh.Peer, Ct), $"peer unanswered {watch.Elapsed} after the heal");
                await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            }

            // The lighthouse flow, idle since the failover (mwan3: nothing went to it), is hopped by its first packet.
            // Nebula 1.6 answers that packet to the address it knew before it roams (checked by hand: the first echo
            // after each hop is lost, the second answers), so the first answer may come from the second echo.
            var lighthouse = await nebula.FirstAnswerWithinAsync(TimeSpan.FromSeconds(4), NebulaMesh.Lighthouse, Ct);
            Assert.True(lighthouse is not null, "the lighthouse did not answer within 4 s");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
