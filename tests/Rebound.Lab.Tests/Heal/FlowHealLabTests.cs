using System.Diagnostics;
using Rebound.Act.Remedies;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Heal;

/// <summary>
/// <c>[[flow]]</c> end to end: a plain UDP echo flow from the fixed port 4242 on the LAN host, through a router that
/// pins existing flows (static SNAT per WAN, or mwan3-style connection marks). Stock: dead for good. With
/// <c>rebound run</c>: hop-port heals it, it keeps working after the hop rule is released, after the agent is killed
/// and after it starts again, and the table goes once no healed flow is left.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FlowHealLabTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Mwan3)]
    public async Task Stock_udp_flow_from_a_fixed_port_stays_dead_after_a_pinning_failover(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        await using var flow = await UdpEchoFlow.StartAsync(lab, Ct);

        await lab.FailoverAsync(Ct);

        Assert.False(await flow.AnswersWithinAsync(TimeSpan.FromSeconds(10), Ct), "the lab no longer pins the flow: the test would prove nothing");
        Assert.Equal($"{FailoverLab.Wan1Address}:{UdpEchoFlow.LocalPort}", flow.LastSeenFrom);
    }

    [Theory]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Mwan3)]
    public async Task Rebound_run_heals_the_flow_which_survives_release_kill_and_restart_and_the_table_goes_when_unneeded(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);
        await using var flow = await UdpEchoFlow.StartAsync(lab, Ct);
        var state = Directory.CreateTempSubdirectory("rebound-flow-lab-").FullName;
        try
        {
            var config = WriteConfig(state, $"""
                [[flow]]
                name = "echo"
                local_ports = [{UdpEchoFlow.LocalPort}]
                hop_keep = "4s"
                """);
            var rebound = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]);
            try
            {
                await rebound.WaitForAsync(e => e.Name == "started", TimeSpan.FromSeconds(20), "started", Ct);
                var switched = await lab.FailoverAsync(Ct);
                var hop = await rebound.WaitForAsync(e => e.Name == "heal-step" && e.GetString("target") == "flow:echo" && e.GetString("action") == "hop-port",
                    TimeSpan.FromSeconds(20), "hop-port step", Ct);
                output.WriteLine(hop.Line);
                Assert.Equal("done", hop.GetString("result"));
                var verified = await rebound.WaitForAsync(e => e.Name == "heal-verified" && e.GetString("target") == "flow:echo", TimeSpan.FromSeconds(20), "heal-verified", Ct);
                output.WriteLine($"switch -> heal-verified {(verified.Time - switched.Time).TotalMilliseconds:0} ms: {verified.Line}");
                Assert.Equal("hop-port", verified.GetString("action"));
                Assert.True(await flow.AnswersWithinAsync(TimeSpan.FromSeconds(1), Ct), "heal-verified, but the flow does not answer");
                Assert.StartsWith($"{FailoverLab.Wan2Address}:", flow.LastSeenFrom, StringComparison.Ordinal);
                var table = await TableAsync(lab);
                Assert.Equal([UdpEchoFlow.LocalPort], table.Active4);

                // hop_keep passes: new flows from 4242 are no longer hopped; the healed flow keeps its port.
                var watch = Stopwatch.StartNew();
                while ((await TableAsync(lab)).Active4.Count > 0)
                {
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the hop rule was not released after hop_keep");
                    await Task.Delay(500, Ct);
                }

                Assert.True(await flow.KeepsAnsweringAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), Ct), "the healed flow broke when the rule was released");
                Assert.Equal([UdpEchoFlow.LocalPort], (await TableAsync(lab)).Hopped);
            }
            finally
            {
                await rebound.DisposeAsync(); // SIGKILL: the agent gets no chance to tidy up
            }

            Assert.True(await flow.KeepsAnsweringAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), Ct), "the healed flow broke when the agent was killed");

            await using (var again = ReboundProcess.StartInLan(lab, ["run", "--config", config, "--json"]))
            {
                await again.WaitForAsync(e => e.Name == "started", TimeSpan.FromSeconds(20), "started again", Ct);
                Assert.True(await flow.KeepsAnsweringAsync(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), Ct), "the healed flow broke when the agent started again");
                Assert.True((await TableAsync(lab)).Present, "the table went while a healed flow still needs it");

                // The daemon's flow ends (as its entry would expire 120 s after its last packet): the table goes.
                await flow.DisposeAsync();
                await lab.ExecAsync("lan", ["conntrack", "-D", "-p", "udp", "--orig-port-src", UdpEchoFlow.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], Ct);
                var gone = Stopwatch.StartNew();
                while ((await TableAsync(lab)).Present)
                {
                    Assert.True(gone.Elapsed < TimeSpan.FromSeconds(15), $"table inet rebound_hop still there with no healed flow left\n{again.Diagnostics()}");
                    await Task.Delay(500, Ct);
                }
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    internal static string WriteConfig(string state, string targets)
    {
        var config = Path.Combine(state, "rebound.toml");
        File.WriteAllText(config, $"""
            [watch]
            servers = ["{FailoverLab.Stun1}", "{FailoverLab.Stun2}"]
            interval = "1s"

            [state]
            directory = "{state}"

            [http]
            listen = "off"

            [heal]
            check_interval = "1s"

            {targets}
            """);
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return config;
    }

    internal static async Task<HopTableState> TableAsync(FailoverLab lab)
    {
        var listed = await lab.ExecAsync("lan", ["nft", "-j", "list", "table", "inet", "rebound_hop"], Ct);
        if (listed.ExitCode != 0)
            return HopTableState.Absent;
        return HopTable.Parse(listed.Stdout) ?? throw new InvalidOperationException($"unreadable: {listed.Stdout}");
    }
}
