using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rebound.Tests.Cli;

public sealed partial class CliContractTests
{
    private const string S1 = "203.0.113.10:3478";
    private const string S2 = "203.0.113.11:3478";

    [Theory]
    [InlineData("watch", "--bogus")]
    [InlineData("probe", "--server", "203.0.113.10:99999")]
    [InlineData("probe", "--server", "203.0.113.10:port")]
    [InlineData("watch", "--server", "203.0.113.10:3478", "--interval", "0")]
    [InlineData("watch", "--interval", "-1s")]
    [InlineData("watch", "--interval", "5 parsecs")]
    [InlineData("watch", "--confirm-servers", "0")]
    [InlineData("frobnicate")]
    public async Task Bad_input_exits_2_with_one_line_on_stderr(params string[] args)
    {
        var cli = new CliHarness();
        var exit = await cli.RunAsync(args);

        Assert.Equal(2, exit);
        var line = Assert.Single(cli.ErrLines);
        Assert.StartsWith("rebound: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, cli.Prober.Calls);
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("watch")]
    public async Task An_unresolvable_server_exits_2_and_names_it(string command)
    {
        var cli = new CliHarness();
        cli.Unresolvable.Add("stun.nowhere.test");
        var exit = await cli.RunAsync(command, "--server", "stun.nowhere.test:3478");

        Assert.Equal(2, exit);
        Assert.Contains("stun.nowhere.test", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_json_has_the_consensus_address_and_each_server()
    {
        var cli = new CliHarness();
        cli.Prober.AnswerAll("198.51.100.2", S1, S2);
        var exit = await cli.RunAsync("probe", "--server", S1, "--server", S2, "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(cli.Out);
        Assert.Equal("198.51.100.2", doc.RootElement.GetProperty("address").GetString());
        var servers = doc.RootElement.GetProperty("servers").EnumerateArray().ToList();
        Assert.Equal([S1, S2], servers.Select(s => s.GetProperty("server").GetString()));
        Assert.All(servers, s => Assert.True(s.GetProperty("rttMs").GetDouble() >= 0));
        Assert.Single(cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Probe_without_any_answer_exits_1()
    {
        var cli = new CliHarness();
        var exit = await cli.RunAsync("probe", "--server", S1, "--server", S2);

        Assert.Equal(1, exit);
        Assert.Equal("rebound: no server answered", Assert.Single(cli.ErrLines));
        Assert.Contains("timeout", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offline_probe_of_the_defaults_says_no_server_could_be_asked_and_keeps_its_columns()
    {
        var cli = new CliHarness();
        cli.Unresolvable.UnionWith(["stun.l.google.com", "stun.cloudflare.com", "api.ipify.org"]);
        var exit = await cli.RunAsync("probe");

        Assert.Equal(1, exit);
        Assert.StartsWith("rebound: no server could be asked: none of their names resolves", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains("cannot resolve", l, StringComparison.Ordinal));

        // The RTT column ends at the same place on every line, the header included; errors come last.
        var rttEnd = lines[0].IndexOf("RTT", StringComparison.Ordinal) + 3;
        Assert.All(lines.Skip(1), l => Assert.Equal("-  - (", l[(rttEnd - 1)..(rttEnd + 5)]));
    }

    [Fact]
    public async Task Probe_names_each_source_kind_and_counts_http_in_the_consensus()
    {
        var cli = new CliHarness();
        cli.Prober.AnswerAll("198.51.100.2", S1, "https://echo.test/");
        var exit = await cli.RunAsync("probe", "--server", S1, "--server", "https://echo.test/", "--server", "natpmp:10.77.0.1");

        Assert.Equal(0, exit);
        Assert.Contains("consensus ipv4: 198.51.100.2 (2 of 2 servers agree)", cli.Out, StringComparison.Ordinal);
        Assert.Contains(cli.Out.Split('\n'), l => l.StartsWith("https://echo.test/", StringComparison.Ordinal) && l.Contains(" http ", StringComparison.Ordinal));
        Assert.Contains(cli.Out.Split('\n'), l => l.StartsWith("natpmp:10.77.0.1", StringComparison.Ordinal) && l.Contains(" nat-pmp ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probe_text_names_the_consensus()
    {
        var cli = new CliHarness();
        cli.Prober.AnswerAll("198.51.100.2", S1, S2);
        Assert.Equal(0, await cli.RunAsync("probe", "--server", S1, "--server", S2));
        Assert.Contains("consensus ipv4: 198.51.100.2 (2 of 2 servers agree)", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_json_prints_started_with_time_and_event_then_stops_on_cancel()
    {
        var cli = new CliHarness();
        cli.Prober.AnswerAll("198.51.100.2", S1, S2);
        using var stop = new CancellationTokenSource();
        var run = Rebound.Cli.ReboundCli.RunAsync(["watch", "--server", S1, "--server", S2, "--interval", "1s", "--json"], cli.Services(), stop.Token);

        // The first line appears after the first round; poll the captured stream briefly.
        for (var i = 0; i < 200 && !cli.Out.Contains('\n', StringComparison.Ordinal); i++)
        {
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        var first = cli.Out.Split('\n')[0];
        using var doc = JsonDocument.Parse(first);
        Assert.Equal("started", doc.RootElement.GetProperty("event").GetString());
        Assert.Matches(Rfc3339Millis(), doc.RootElement.GetProperty("time").GetString());
        Assert.Equal("198.51.100.2", doc.RootElement.GetProperty("addresses").GetProperty("ipv4").GetString());
        Assert.False(run.IsCompleted);

        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex Rfc3339Millis();
}
