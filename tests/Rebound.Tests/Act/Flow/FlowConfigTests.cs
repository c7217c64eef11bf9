using System.Runtime.Versioning;
using Rebound.Act.Flow;
using Rebound.Act.Heal;
using Rebound.Configuration;
using Rebound.Tests.Cli;

namespace Rebound.Tests.Act.Flow;

[SupportedOSPlatform("linux")]
public sealed class FlowConfigTests
{
    private static ConfigResult Parse(string text) => ConfigLoader.Parse(text, "/etc/rebound/rebound.toml", _ => null, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    [Fact]
    public void Flow_table_reads_all_keys_and_creates_the_target()
    {
        var result = Parse("""
            [[flow]]
            name = "game-server"
            local_ports = [27015, 27016]
            reset_tcp_ports = [443]
            verify_ping = ["10.0.0.1"]
            restart_command = ["/usr/bin/systemctl", "restart", "game"]
            hop_keep = "10s"

            [[flow]]
            name = "other"
            local_ports = [4242]
            """);

        Assert.Empty(result.Problems);
        var flows = result.Config!.HealTargetsOf<FlowTargetOptions>();
        Assert.Equal(2, flows.Count);
        Assert.Equal([27015, 27016], flows[0].LocalPorts);
        Assert.Equal([443], flows[0].ResetTcpPorts);
        Assert.Equal(TimeSpan.FromSeconds(10), flows[0].HopKeep);
        Assert.Equal(FlowTargetOptions.DefaultHopKeep, flows[1].HopKeep);
        var targets = HealTargets.Create(result.Config, TimeProvider.System);
        Assert.Equal(["flow:game-server", "flow:other"], targets.Select(t => t.Name));
        Assert.Equal([HealActionKind.HopPort, HealActionKind.ResetTcp, HealActionKind.Restart], targets[0].Ladder.Select(a => a.Kind));
        Assert.Equal([HealActionKind.HopPort], targets[1].Ladder.Select(a => a.Kind));
        Assert.Contains(ConfigSummary.Describe(result.Config), l => l.Contains("game-server; udp port 27015, 27016 hopped when pinned (kept 10s)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("local_ports = [0]", 3, "flow[0].local_ports", "a port number from 1 to 65535, found 0")]
    [InlineData("local_ports = [65536]", 3, "flow[0].local_ports", "a port number from 1 to 65535, found 65536")]
    [InlineData("local_ports = [\"4242\"]", 3, "flow[0].local_ports", "a port number from 1 to 65535, found")]
    [InlineData("local_ports = []", 3, "flow[0].local_ports", "a non-empty array of port numbers, found an empty array")]
    [InlineData("local_ports = [4242, 4242]", 3, "flow[0].local_ports", "each port once; 4242 is listed twice")]
    [InlineData("ports = [4242]", 3, "flow[0].ports", "a known key")]
    public void Bad_flow_keys_are_file_line_key_problems(string line, int lineNumber, string key, string expected)
    {
        var result = Parse($"[[flow]]\nname = \"x\"\n{line}\n");

        var problem = Assert.Single(result.Problems, p => p.Key == key);
        Assert.Equal(lineNumber, problem.Line);
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flow_without_ports_or_a_name_is_a_problem_and_names_and_ports_are_not_shared()
    {
        Assert.Contains(Parse("[[flow]]\nname = \"x\"\n").Problems, p => p.Key == "flow[0].local_ports" && p.Expected.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(Parse("[[flow]]\nlocal_ports = [1]\n").Problems, p => p.Key == "flow[0].name");
        var twice = Parse("[[flow]]\nname = \"x\"\nlocal_ports = [1]\n[[flow]]\nname = \"x\"\nlocal_ports = [1]\n").Problems;
        Assert.Contains(twice, p => p.Key == "flow[1].name" && p.Line == 5);
        Assert.Contains(twice, p => p.Key == "flow[1].local_ports" && p.Expected.Contains("1 already is", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_config_exits_2_with_file_and_line_for_a_port_out_of_range()
    {
        var dir = Directory.CreateTempSubdirectory("rebound-flow-");
        try
        {
            var path = Path.Combine(dir.FullName, "flow.toml");
            File.WriteAllText(path, "[[flow]]\nname = \"game\"\nlocal_ports = [70000]\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var cli = new CliHarness();

            Assert.Equal(2, await cli.RunAsync("check-config", path));
            Assert.Contains(cli.ErrLines, l => l.StartsWith($"rebound: {path}:3: flow[0].local_ports: ", StringComparison.Ordinal) && l.Contains("found 70000", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
