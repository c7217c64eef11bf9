using System.Text.Json;
using Rebound.Tests.Cli;

namespace Rebound.Tests.Act.Tune;

/// <summary>The real <c>rebound tune</c> command, in-process, against a temp tree via its hidden seams.</summary>
public sealed class TuneCommandTests : IDisposable
{
    private readonly FakeProcSys _sys = new();
    private readonly string _wgDump;

    public TuneCommandTests()
    {
        _wgDump = Path.Combine(_sys.Root, "wg.dump");
        File.WriteAllText(_wgDump, "wg0\tPRIVATEKEY=\tPUB=\t51820\toff\nwg0\tPEERA=\t(none)\t198.51.100.7:51820\t10.0.0.2/32\t0\t0\t0\toff\n");
    }

    public void Dispose() => _sys.Dispose();

    private string[] Args(params string[] extra) =>
        ["tune", "--proc-sys", _sys.Options.ProcSysRoot, "--sysctl-dir", _sys.Options.SysctlDirectory, "--state-dir", _sys.Options.StateDirectory, "--wg-dump", _wgDump, .. extra];

    [Fact]
    public async Task Show_prints_the_table_and_wireguard_advice_and_changes_nothing()
    {
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync(Args()));

        Assert.Contains("net.ipv4.tcp_retries2                          15       8           change  retransmissions", cli.Out, StringComparison.Ordinal);
        Assert.Contains("net.netfilter.nf_conntrack_udp_timeout         30       30          ok", cli.Out, StringComparison.Ordinal);
        Assert.Contains("wireguard wg0 peer PEERA= (198.51.100.7:51820): persistent keepalive off -> 25", cli.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATEKEY", cli.Out, StringComparison.Ordinal);
        Assert.Equal("15\n", _sys.Get("net.ipv4.tcp_retries2"));
        Assert.False(File.Exists(_sys.Options.BackupPath));
    }

    [Fact]
    public async Task Apply_then_revert_round_trips_with_json_output()
    {
        var original = _sys.Snapshot();
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync(Args("--apply", "--json")));
        using (var doc = JsonDocument.Parse(cli.Out))
        {
            var applied = doc.RootElement.GetProperty("applied");
            Assert.Equal(5, applied.GetArrayLength());
            Assert.All(doc.RootElement.GetProperty("settings").EnumerateArray(), s => Assert.False(s.GetProperty("change").GetBoolean()));
            Assert.Equal("PEERA=", doc.RootElement.GetProperty("wireguard").GetProperty("peers")[0].GetProperty("publicKey").GetString());
        }

        Assert.Equal("8\n", _sys.Get("net.ipv4.tcp_retries2"));
        var revert = new CliHarness();
        Assert.Equal(0, await revert.RunAsync(Args("--revert")));
        Assert.StartsWith($"reverted 5 settings from {_sys.Options.BackupPath}", revert.Out, StringComparison.Ordinal);
        Assert.Equal(original, _sys.Snapshot());
        Assert.False(File.Exists(_sys.Options.DropInPath));
    }

    [Fact]
    public async Task Revert_without_backup_says_so_and_succeeds()
    {
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync(Args("--revert")));

        Assert.StartsWith("nothing to revert: no backup at ", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_with_revert_is_bad_input()
    {
        var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync(Args("--apply", "--revert")));

        Assert.Equal(["rebound: --apply and --revert cannot be used together"], cli.ErrLines);
        Assert.Equal("15\n", _sys.Get("net.ipv4.tcp_retries2"));
    }

    [Fact]
    public async Task A_failure_to_write_is_one_line_and_exit_1()
    {
        var path = Path.Combine(_sys.Options.ProcSysRoot, "net", "ipv4", "tcp_retries2");
        File.Delete(path);
        Directory.CreateDirectory(path);
        var cli = new CliHarness();

        Assert.Equal(1, await cli.RunAsync(Args("--apply")));

        var line = Assert.Single(cli.ErrLines);
        Assert.StartsWith($"rebound: cannot read {path}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_values_are_numbers_and_no_peers_is_not_every_peer_has_a_keepalive()
    {
        var noPeers = Path.Combine(_sys.Root, "wg-empty.dump");
        File.WriteAllText(noPeers, "wg0\tPRIVATEKEY=\tPUB=\t51820\toff\n");
        string[] args = ["tune", "--proc-sys", _sys.Options.ProcSysRoot, "--sysctl-dir", _sys.Options.SysctlDirectory, "--state-directory", _sys.Options.StateDirectory, "--wg-dump", noPeers];
        var json = new CliHarness();

        Assert.Equal(0, await json.RunAsync([.. args, "--json"]));
        using var document = JsonDocument.Parse(json.Out);
        var retries = document.RootElement.GetProperty("settings").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "net.ipv4.tcp_retries2");
        Assert.Equal(JsonValueKind.Number, retries.GetProperty("current").ValueKind);
        Assert.Equal(15, retries.GetProperty("current").GetInt32());
        Assert.Equal("no WireGuard peer with an endpoint here", document.RootElement.GetProperty("wireguard").GetProperty("note").GetString());

        var text = new CliHarness();
        Assert.Equal(0, await text.RunAsync(args));
        Assert.DoesNotContain("every peer", text.Out, StringComparison.Ordinal);
        Assert.Contains("wireguard: no advice (no WireGuard peer with an endpoint here)", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_directory_comes_from_the_config_like_events()
    {
        var config = Path.Combine(_sys.Root, "rebound.toml");
        var state = Path.Combine(_sys.Root, "from-config");
        File.WriteAllText(config, $"[watch]\nservers = [\"203.0.113.10:3478\", \"203.0.113.11:3478\"]\n\n[state]\ndirectory = \"{state}\"\n");
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("tune", "-c", config, "--proc-sys", _sys.Options.ProcSysRoot, "--sysctl-dir", _sys.Options.SysctlDirectory, "--wg-dump", _wgDump, "--apply"));

        Assert.True(File.Exists(Path.Combine(state, "tune-backup.json")));
        Assert.Contains(Path.Combine(state, "tune-backup.json"), cli.Out, StringComparison.Ordinal);
    }
}
