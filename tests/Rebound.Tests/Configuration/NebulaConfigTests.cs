using System.Net;
using Rebound.Act.Nebula;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

/// <summary><c>[[nebula]]</c> and the nebula config.yml it names: its problems at their own FILE:LINE.</summary>
public sealed class NebulaConfigTests : IDisposable
{
    private const string LanNode = """
        pki:
          ca: /etc/nebula/ca.crt
        static_host_map:
          "10.42.0.1": ["lighthouse.example.net:4242", "203.0.113.30:4242"]
        lighthouse:
          am_lighthouse: false
          interval: 60
          hosts:
            - "10.42.0.1"
        listen:
          host: 0.0.0.0
          port: 4242
        tun:
          dev: nebula1
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("rebound-nebula-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string yaml, string name = "config.yml")
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static ConfigResult Parse(string toml) => ConfigLoader.Parse(toml, "rebound.toml", _ => null);

    [Fact]
    public void Reads_listen_port_lighthouses_and_the_static_host_map_from_the_nebula_file()
    {
        var file = Write(LanNode);

        var result = Parse($"[[nebula]]\nconfig = \"{file}\"\n");

        Assert.Empty(result.Problems);
        var options = Assert.Single(result.Config!.HealTargetsOf<NebulaTargetOptions>());
        Assert.Equal(file, options.Config.Path);
        Assert.Equal(4242, options.Config.ListenPort);
        Assert.Equal(60, options.Config.LighthouseInterval);
        Assert.Equal([IPAddress.Parse("10.42.0.1")], options.Config.Lighthouses);
        Assert.Equal(["lighthouse.example.net:4242", "203.0.113.30:4242"], options.Config.StaticHostMap[IPAddress.Parse("10.42.0.1")]);
        Assert.Empty(options.VerifyPing);
        Assert.Equal([IPAddress.Parse("10.42.0.1")], options.PingTargets); // the default: the lighthouses
        Assert.Null(options.RestartCommand);
        Assert.Equal(TimeSpan.FromSeconds(3), options.VerifyDeadline);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.PingTimeout);
        Assert.Equal("nebula:" + file, NebulaTarget.Create(options, TimeProvider.System).Name);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var file = Write(LanNode);

        var result = Parse($"""
            [[nebula]]
            config = "{file}"
            verify_ping = ["10.42.0.2"]
            restart_command = ["/usr/bin/systemctl", "restart", "nebula"]
            verify_deadline = "5s"
            ping_timeout = "1s"
            """);

        Assert.Empty(result.Problems);
        var options = Assert.Single(result.Config!.HealTargetsOf<NebulaTargetOptions>());
        Assert.Equal([IPAddress.Parse("10.42.0.2")], options.PingTargets);
        Assert.Equal(["/usr/bin/systemctl", "restart", "nebula"], options.RestartCommand);
        Assert.Equal(TimeSpan.FromSeconds(5), options.VerifyDeadline);
        Assert.Equal(TimeSpan.FromSeconds(1), options.PingTimeout);
    }

    [Fact]
    public void A_missing_nebula_file_is_a_problem_at_the_line_that_names_it()
    {
        var missing = Path.Combine(_directory, "nope.yml");

        var result = Parse($"[heal]\ncheck_interval = \"30s\"\n\n[[nebula]]\nconfig = \"{missing}\"\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal($"rebound.toml:5: nebula[0].config: expected a readable nebula config file; {missing} does not exist", problem.ToString());
    }

    [Fact]
    public void A_directory_is_refused_at_the_line_that_names_it()
    {
        var result = Parse($"[[nebula]]\nconfig = \"{_directory}\"\n");

        Assert.Contains("is a directory", Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listen:\n  host: 0.0.0.0\n", 1, "listen.port: expected a fixed UDP port 1-65535; listen: has no port")]
    [InlineData("pki: {}\ntun:\n  dev: nebula1\n", 1, "listen.port: expected a fixed UDP port 1-65535; there is no listen: section")]
    [InlineData("lighthouse:\n  hosts: [\"10.42.0.1\"]\nlisten:\n  port: 0\n", 4, "listen.port: expected a fixed UDP port 1-65535 (0 lets nebula pick a new port at each start; Rebound needs the fixed one), found \"0\"")]
    [InlineData("listen:\n  port: 70000\n", 2, "listen.port: expected a fixed UDP port 1-65535, found \"70000\"")]
    [InlineData("listen:\n  port: 4242\nlighthouse:\n  hosts:\n    - lighthouse.example.net\n", 5, "lighthouse.hosts: expected lighthouses' overlay IP addresses, found \"lighthouse.example.net\"")]
    public void Problems_inside_the_nebula_file_are_reported_at_its_own_line(string yaml, int line, string expected)
    {
        var file = Write(yaml);

        var result = Parse($"[[nebula]]\nconfig = \"{file}\"\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(file, problem.File);
        Assert.Equal(line, problem.Line);
        Assert.Equal($"{file}:{line}: {expected}", problem.ToString());
    }

    [Fact]
    public void Yaml_that_does_not_parse_is_one_problem_with_its_line()
    {
        var file = Write("listen:\n  port: 4242\nlighthouse:\n  hosts: [\"10.42.0.1\"\n");

        var problem = Assert.Single(Parse($"[[nebula]]\nconfig = \"{file}\"\n").Problems);

        Assert.Equal(file, problem.File);
        Assert.True(problem.Line >= 4, problem.ToString());
        Assert.StartsWith("valid YAML", problem.Expected, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem.ToString());
    }

    [Fact]
    public void A_lighthouse_without_verify_ping_has_nothing_to_ping()
    {
        var file = Write("lighthouse:\n  am_lighthouse: true\nlisten:\n  port: 4242\n");

        var problem = Assert.Single(Parse($"[[nebula]]\nconfig = \"{file}\"\n").Problems);

        Assert.Equal("rebound.toml:2: nebula[0].config: expected verify_ping here, since "
            + $"a text of {file.Length} characters lists no lighthouse.hosts to ping (it is a lighthouse)", problem.ToString());
        Assert.Empty(Parse($"[[nebula]]\nconfig = \"{file}\"\nverify_ping = [\"10.42.0.2\"]\n").Problems);
    }

    [Fact]
    public void The_same_nebula_file_twice_is_a_problem()
    {
        var file = Write(LanNode);

        var problem = Assert.Single(Parse($"[[nebula]]\nconfig = \"{file}\"\n\n[[nebula]]\nconfig = \"{file}\"\n").Problems);

        Assert.Equal(5, problem.Line);
        Assert.Contains("not configured twice", problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_are_problems()
    {
        var file = Write(LanNode);

        var problem = Assert.Single(Parse($"[[nebula]]\nconfig = \"{file}\"\nlisten_port = 4242\n").Problems);

        Assert.Equal("rebound.toml:3: nebula[0].listen_port: expected a known key (config, verify_ping, restart_command, verify_deadline, ping_timeout); \"listen_port\" is unknown", problem.ToString());
    }
}
