using System.Runtime.Versioning;

namespace Rebound.Tests.Cli;

/// <summary><c>rebound ddns update</c> in-process: config problems, no public address, and a dry run (which never connects).</summary>
[SupportedOSPlatform("linux")]
public sealed class DdnsUpdateCommandTests : IDisposable
{
    private const string Secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-once-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string State => Path.Combine(_dir.FullName, "state");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private string Config()
    {
        var key = Write("home.key", $"key \"rebound\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{Secret}\";\n}};\n");
        return Write("rebound.toml", $"""
            [watch]
            servers = ["203.0.113.10:3478", "203.0.113.11:3478"]

            [state]
            directory = "{State}"

            [[ddns]]
            provider = "rfc2136"
            server = "127.0.0.1:1"
            zone = "home.test"
            names = ["gw.home.test", "vpn.home.test"]
            families = ["ipv4"]
            key_file = "{key}"
            """);
    }

    [Fact]
    public async Task Every_config_problem_is_listed_and_exit_is_2_without_probing()
    {
        var path = Write("bad.toml", "[watch]\ninterval = \"0s\"\n\n[[ddns]]\nprovider = \"nope\"\nnames = [\"gw.home.test\"]\n");
        var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("ddns", "update", "--config", path));
        Assert.Contains(cli.ErrLines, l => l.StartsWith($"rebound: {path}:2: watch.interval:", StringComparison.Ordinal));
        Assert.Contains(cli.ErrLines, l => l.StartsWith($"rebound: {path}:5: ddns[0].provider:", StringComparison.Ordinal));
        Assert.Equal(0, cli.Prober.Calls);
        Assert.Equal("", cli.Out);
    }

    [Fact]
    public async Task No_public_address_is_one_line_and_exit_1()
    {
        var cli = new CliHarness();
        cli.Prober.AnswerAll(null, "203.0.113.10:3478", "203.0.113.11:3478");

        Assert.Equal(1, await cli.RunAsync("ddns", "update", "--config", Config()));
        Assert.StartsWith("rebound: no public address: no server answered", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(State, "ddns-cache.json")));
    }

    [Fact]
    public async Task A_dry_run_says_what_would_be_sent_and_what_is_current_and_writes_nothing()
    {
        var config = Config();
        Directory.CreateDirectory(State);
        var cache = Path.Combine(State, "ddns-cache.json");
        // A cache written before ids were keyed: read through the legacy id, without any key (a dry run writes none).
        var target = Rebound.Act.Ddns.DdnsTargets.LegacyTargetId(Rebound.Configuration.ConfigLoader.Load(config).Config!.Ddns[0]);
        // Sent an hour ago: a fixed date goes stale once the default 7-day refresh has passed it.
        var sent = DateTimeOffset.UtcNow.AddHours(-1);
        var sentAt = new DateTimeOffset(sent.Year, sent.Month, sent.Day, sent.Hour, sent.Minute, sent.Second, 250, TimeSpan.Zero);
        var cached = $$"""
            {"version": 1, "records": [
              {"target": "{{target}}", "name": "vpn.home.test", "family": "ipv4", "address": "198.51.100.3", "sentAt": "{{sentAt:yyyy-MM-ddTHH:mm:ss.fffZ}}"},
              {"target": "{{target}}", "name": "gw.home.test", "family": "ipv4", "address": "198.51.100.2", "sentAt": "2026-11-26T05:30:00Z"}
            ]}
            """;
        File.WriteAllText(cache, cached);
        var cli = new CliHarness();
        cli.Prober.AnswerAll("198.51.100.3", "203.0.113.10:3478", "203.0.113.11:3478");

        Assert.Equal(0, await cli.RunAsync("ddns", "update", "--config", config, "--dry-run"));
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("would send gw.home.test A 198.51.100.3 via rfc2136", lines);
        Assert.Contains($"vpn.home.test A 198.51.100.3 is current (sent {sentAt:yyyy-MM-ddTHH:mm:ss}Z)", lines);
        Assert.Equal(cached, File.ReadAllText(cache));
        Assert.Equal([cache], Directory.GetFiles(State));
    }

    [Fact]
    public async Task A_dry_run_in_json_is_one_object_per_record()
    {
        var cli = new CliHarness();
        cli.Prober.AnswerAll("198.51.100.3", "203.0.113.10:3478", "203.0.113.11:3478");

        Assert.Equal(0, await cli.RunAsync("ddns", "update", "--config", Config(), "--dry-run", "--json"));
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Contains("\"event\":\"ddns-would-send\"", l, StringComparison.Ordinal));
        Assert.Contains("\"name\":\"gw.home.test\",\"type\":\"A\",\"address\":\"198.51.100.3\"", lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(State));
    }
}
