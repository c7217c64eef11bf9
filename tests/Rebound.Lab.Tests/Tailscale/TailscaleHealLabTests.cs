using Rebound.Lab.Tests.Harness;
using Rebound.Lab.Tests.Heal;

namespace Rebound.Lab.Tests.Tailscale;

/// <summary>
/// <c>[tailscale]</c> end to end: the fake tailscaled (port 41641 kept, real UDP and TCP through the lab router) on
/// the LAN host behind a router that pins existing flows. <see cref="FakeTailscaledLabTests"/> shows it stays pinned
/// without Rebound (rebind, restart); here <c>rebound run</c> brings the direct path and the control connection back
/// with reset-tcp and hop-port, without restarting it, and the journal says which rungs ran.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TailscaleHealLabTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Mwan3)]
    public async Task Rebound_run_brings_the_direct_path_and_control_back_with_reset_tcp_and_hop_port(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        await using var tailnet = await FakeTailnet.StartAsync(lab, cancellationToken: Ct);
        await using var daemon = await FakeTailscaled.StartAsync(lab);
        var state = Directory.CreateTempSubdirectory("rebound-ts-lab-").FullName;
        try
        {
            var config = FlowHealLabTests.WriteConfig(state, $"""
                [tailscale]
                socket = "{daemon.SocketPath}"
                restart_command = ["/bin/sh", "-c", "echo restart >> '{daemon.RestartRequestPath}'"]
                ping_peers = ["{FakeTailnet.PeerTailscaleIp}"]
                verify_deadline = "10s"
                """);
            await using var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            await rebound.WaitForAsync(e => e.Name == "heal-skipped" && e.GetString("target") == "tailscale", TimeSpan.FromSeconds(20), "startup diagnosis", Ct);

            var switched = await lab.FailoverAsync(Ct);
            var started = await rebound.WaitForAsync(e => e.Name == "heal-started" && e.GetString("target") == "tailscale", TimeSpan.FromSeconds(20), "heal-started", Ct);
            output.WriteLine(started.Line);
            Assert.Equal("flow-pinned", started.GetString("diagnosis"));
            var steps = new List<ReboundEvent>();
            ReboundEvent verified;
            while (true)
            {
                var e = await rebound.NextEventAsync(TimeSpan.FromSeconds(40), "heal-verified", Ct);
                if (e.GetString("target") != "tailscale")
                    continue;
                output.WriteLine(e.Line);
                if (e.Name == "heal-step")
                    steps.Add(e);
                if (e.Name is "heal-verified" or "heal-failed")
                {
                    verified = e;
                    break;
                }
            }

            Assert.Equal("heal-verified", verified.Name);
            output.WriteLine($"switch -> heal-verified {(verified.Time - switched.Time).TotalMilliseconds:0} ms");
            Assert.Equal("hop-port", verified.GetString("action"));

            // The journal: reset-tcp destroyed tailscaled's control and DERP connections and handed on at once; hop-port healed.
            Assert.Equal(["reset-tcp done", "reset-tcp unverified", "hop-port done", "hop-port verified"],
                steps.Select(e => $"{e.GetString("action")} {e.GetString("result")}"));
            Assert.Contains($":{FakeTailnet.ControlPort} (", steps[0].GetString("detail"), StringComparison.Ordinal);
            Assert.Contains($":{FakeTailnet.DerpPort} (", steps[0].GetString("detail"), StringComparison.Ordinal);
            Assert.StartsWith("escalating at once", steps[1].GetString("detail"), StringComparison.Ordinal);

            // What the network says: the peer hears us from the live WAN on a new port; control reconnected through it.
            Assert.StartsWith($"{FailoverLab.Wan2Address}:", tailnet.LastPingFrom?.ToString(), StringComparison.Ordinal);
            Assert.NotEqual($"{FailoverLab.Wan2Address}:{FakeTailscaled.Port}", tailnet.LastPingFrom?.ToString());
            Assert.NotNull(daemon.DirectBackAt(switched.Time));
            Assert.NotNull(daemon.ControlBackAt(switched.Time));
            Assert.Contains(tailnet.Accepted, a => a.StartsWith($"control {FailoverLab.Wan2Address}:", StringComparison.Ordinal));
            Assert.DoesNotContain("restart", daemon.Actions);
            Assert.Contains("restun", daemon.Actions);
            var now = daemon.Now();
            Assert.True(now.Direct && now.ControlOnline && now.DerpConnected, now.ToString());
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
