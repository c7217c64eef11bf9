using System.Net;
using Rebound.Act.WireGuard;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

public sealed class WireGuardConfigTests
{
    private const string PeerKey = "dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=";

    [Fact]
    public void Reads_every_key()
    {
        var result = Parse($$"""
            [[wireguard]]
            interface = "wg0"
            verify_ping = ["10.99.0.1", "fd99::1"]
            endpoints = { "{{PeerKey}}" = "vpn.home.test:51820" }
            restore_port = true
            restart_command = ["/usr/bin/systemctl", "restart", "wg-quick@wg0"]
            verify_deadline = "5s"
            resolve_interval = "2m"
            ping_timeout = "1s"

            [[wireguard]]
            interface = "wg1"
            config_file = "/etc/wireguard/wg1.conf"
            """);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var wg = result.Config!.HealTargetsOf<WireGuardTargetOptions>();
        Assert.Equal(2, wg.Count);
        Assert.Equal("wg0", wg[0].Interface);
        Assert.Equal([IPAddress.Parse("10.99.0.1"), IPAddress.Parse("fd99::1")], wg[0].VerifyPing);
        Assert.Equal("vpn.home.test:51820", wg[0].Endpoints[PeerKey]);
        Assert.True(wg[0].RestorePort);
        Assert.Equal(["/usr/bin/systemctl", "restart", "wg-quick@wg0"], wg[0].RestartCommand);
        Assert.Equal(TimeSpan.FromSeconds(5), wg[0].VerifyDeadline);
        Assert.Equal(TimeSpan.FromMinutes(2), wg[0].ResolveInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), wg[0].PingTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(300), wg[1].PingTimeout);
        Assert.Equal("/etc/wireguard/wg1.conf", wg[1].ConfigFile);
        Assert.Equal(WireGuardTargetOptions.DefaultVerifyDeadline, wg[1].VerifyDeadline);
        Assert.Empty(wg[1].VerifyPing);
        Assert.Null(wg[1].RestartCommand);
        Assert.False(wg[1].RestorePort);
    }

    [Fact]
    public void No_wireguard_section_means_none()
    {
        var result = Parse("[watch]\ninterval = \"1s\"\n");
        Assert.True(result.IsValid);
        Assert.Empty(result.Config!.HealTargetsOf<WireGuardTargetOptions>());
    }

    [Theory]
    [InlineData("[[wireguard]]\nverify_ping = [\"10.99.0.1\"]\n", "r.toml:1: wireguard[0].interface: expected a WireGuard interface name like \"wg0\" (missing)")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nkeepalive = 5\n", "r.toml:3: wireguard[0].keepalive: expected a known key (interface, verify_ping, endpoints, config_file, restore_port, restart_command, verify_deadline, resolve_interval, ping_timeout); \"keepalive\" is unknown")]
    [InlineData("[[wireguard]]\ninterface = \"wg 0\"\n", "r.toml:2: wireguard[0].interface: expected an interface name (1-15 characters, no '/', ':' or spaces), found \"wg 0\"")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nverify_ping = [\"10.99.0.0/24\"]\n", "r.toml:3: wireguard[0].verify_ping: expected an IP address, found \"10.99.0.0/24\"")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nverify_ping = []\n", "r.toml:3: wireguard[0].verify_ping: expected a non-empty array of tunnel IP addresses, found an empty array")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nendpoints = { \"peer1\" = \"vpn.home.test:51820\" }\n", "r.toml:3: wireguard[0].endpoints.\"peer1\": expected a peer public key in base64 (44 characters) as the key")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nendpoints = { \"" + PeerKey + "\" = \"vpn.home.test\" }\n", "r.toml:3: wireguard[0].endpoints.a text of 44 characters: expected \"host:port\" (host name or address, port 1-65535), found \"vpn.home.test\"")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nrestore_port = \"yes\"\n", "r.toml:3: wireguard[0].restore_port: expected true or false, found a string")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nrestart_command = \"systemctl restart wg-quick@wg0\"\n", "r.toml:3: wireguard[0].restart_command: expected a command as an array like [\"/usr/bin/systemctl\", \"restart\", \"wg-quick@wg0\"], found a string")]
    // A program without its path is no longer looked up in PATH: what runs is what the file says.
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nrestart_command = [\"systemctl\", \"restart\", \"wg-quick@wg0\"]\n", "r.toml:3: wireguard[0].restart_command: expected the program's absolute path first (no shell, no PATH lookup), found \"systemctl\"")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nverify_deadline = \"0s\"\n", "r.toml:3: wireguard[0].verify_deadline: expected a duration greater than zero")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nping_timeout = \"0s\"\n", "r.toml:3: wireguard[0].ping_timeout: expected a duration greater than zero")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\nping_timeout = \"30s\"\n", "r.toml:3: wireguard[0].ping_timeout: expected a duration")]
    [InlineData("[[wireguard]]\ninterface = \"wg0\"\n[[wireguard]]\ninterface = \"wg0\"\n", "r.toml:4: wireguard[1].interface: expected an interface not configured twice; \"wg0\" already is")]
    [InlineData("wireguard = \"wg0\"\n", "r.toml:1: wireguard: expected [[wireguard]] tables, found a string")]
    public void Problems_are_line_numbered_one_liners(string toml, string expected)
    {
        var result = Parse(toml);
        Assert.False(result.IsValid);
        Assert.StartsWith(expected, Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
    }

    private static ConfigResult Parse(string toml) => ConfigLoader.Parse(toml, "r.toml", _ => null);
}
