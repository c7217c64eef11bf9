using System.Net;
using Rebound.Act.Tailscale;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

public sealed class TailscaleConfigTests
{
    private static ConfigResult Parse(string toml) => ConfigLoader.Parse(toml, "rebound.toml", _ => null);

    [Fact]
    public void No_tailscale_table_means_no_tailscale_target()
    {
        var result = Parse("[state]\ndirectory = \"/srv/rebound\"\n");

        Assert.True(result.IsValid);
        Assert.Empty(result.Config!.HealTargetsOf<TailscaleTargetOptions>());
    }

    [Fact]
    public void Empty_table_enables_the_target_with_defaults()
    {
        var config = Assert.Single(Parse("[tailscale]\n").Config!.HealTargetsOf<TailscaleTargetOptions>());

        Assert.True(config.Enabled);
        Assert.Equal("/var/run/tailscale/tailscaled.sock", config.Socket);
        Assert.Equal("tailscaled.service", config.Unit);
        Assert.Null(config.RestartCommand);
        Assert.Empty(config.PingPeers);
        Assert.Null(config.Port);
        Assert.Equal(TimeSpan.FromSeconds(20), config.VerifyDeadline);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var result = Parse("""
            [tailscale]
            enabled = false
            socket = "/run/ts/tailscaled.sock"
            unit = "tailscaled@wan.service"
            restart_command = ["/usr/sbin/rc-service", "tailscale", "restart"]
            ping_peers = ["100.64.0.2", "fd7a:115c:a1e0::2"]
            port = 41641
            verify_deadline = "45s"
            """);

        Assert.Empty(result.Problems);
        var config = Assert.Single(result.Config!.HealTargetsOf<TailscaleTargetOptions>());
        Assert.False(config.Enabled);
        Assert.Equal("/run/ts/tailscaled.sock", config.Socket);
        Assert.Equal("tailscaled@wan.service", config.Unit);
        Assert.Equal(["/usr/sbin/rc-service", "tailscale", "restart"], config.RestartCommand);
        Assert.Equal([IPAddress.Parse("100.64.0.2"), IPAddress.Parse("fd7a:115c:a1e0::2")], config.PingPeers);
        Assert.Equal(TimeSpan.FromSeconds(45), config.VerifyDeadline);
        Assert.Equal(41641, config.Port);
    }

    [Theory]
    [InlineData("soket = \"/x\"", "rebound.toml:2: tailscale.soket: expected a known key (enabled, socket, unit, restart_command, ping_peers, port, verify_deadline); \"soket\" is unknown")]
    [InlineData("enabled = \"yes\"", "rebound.toml:2: tailscale.enabled: expected true or false, found a string")]
    [InlineData("socket = \"tailscaled.sock\"", "rebound.toml:2: tailscale.socket: expected the absolute path of tailscaled's socket, found \"tailscaled.sock\"")]
    [InlineData("unit = \"tailscaled service\"", "rebound.toml:2: tailscale.unit: expected a systemd unit name like \"tailscaled.service\", found \"tailscaled service\"")]
    [InlineData("restart_command = \"systemctl restart tailscaled\"", "rebound.toml:2: tailscale.restart_command: expected a command as an array like [\"/usr/sbin/rc-service\", \"tailscale\", \"restart\"], found a string")]
    [InlineData("restart_command = [\"rc-service\", \"tailscale\", \"restart\"]", "rebound.toml:2: tailscale.restart_command: expected the program's absolute path first (no shell, no PATH lookup), found \"rc-service\"")]
    [InlineData("ping_peers = [\"laptop\"]", "rebound.toml:2: tailscale.ping_peers: expected Tailscale IP addresses like \"100.64.0.2\" or \"fd7a:115c:a1e0::2\", found \"laptop\"")]
    [InlineData("ping_peers = [\"100.64.0.2\", \"100.64.0.2\"]", "rebound.toml:2: tailscale.ping_peers: expected each peer once; 100.64.0.2 is listed twice")]
    [InlineData("ping_peers = []", "rebound.toml:2: tailscale.ping_peers: expected an array of peers' Tailscale IPs like [\"100.64.0.2\"], found an empty array")]
    [InlineData("port = 0", "rebound.toml:2: tailscale.port: expected an integer from 1 to 65535")]
    [InlineData("port = 70000", "rebound.toml:2: tailscale.port: expected an integer from 1 to 65535")]
    [InlineData("verify_deadline = \"0s\"", "rebound.toml:2: tailscale.verify_deadline: expected a duration greater than zero like")]
    [InlineData("verify_deadline = \"1h\"", "(at most 10m), found \"1h\"")]
    public void Bad_values_are_one_line_problems_with_file_and_line(string line, string expected)
    {
        var result = Parse($"[tailscale]\n{line}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Contains(expected, problem.ToString(), StringComparison.Ordinal);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void Tailscale_must_be_a_single_table()
    {
        var result = Parse("[[tailscale]]\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("rebound.toml:1: tailscale: expected a table [tailscale], found an array of tables", problem.ToString());
    }
}
