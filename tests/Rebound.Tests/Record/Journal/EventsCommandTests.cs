using Microsoft.Extensions.Time.Testing;
using Rebound.Record.Journal;
using Rebound.Tests.Cli;
using static Rebound.Tests.Record.Journal.JournalTestEvents;

namespace Rebound.Tests.Record.Journal;

public sealed class EventsCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-events-");

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task WriteAsync(params JournalLine[] events)
    {
        await using var journal = EventJournal.Start(
            new EventJournalOptions { Path = Path.Combine(_dir.FullName, EventJournal.FileName), Retention = TimeSpan.FromDays(3650) },
            new FakeTimeProvider(DateTimeOffset.UtcNow),
            w => Assert.Fail(w));
        foreach (var e in events)
            journal.Append(e);
    }

    [Fact]
    public async Task Lists_one_line_per_event_with_time_kind_target_and_fields()
    {
        var now = DateTimeOffset.UtcNow;
        await WriteAsync(Event(now.AddMinutes(-2), "public-address-changed", null, 1), Event(now.AddMinutes(-1), "ddns-updated", "ddns[0]", 2));
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("events", "--state-directory", _dir.FullName));

        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"{Rebound.Record.EventTime.Format(now.AddMinutes(-2))} public-address-changed n=1 address=203.0.113.7", lines[0]);
        Assert.Equal($"{Rebound.Record.EventTime.Format(now.AddMinutes(-1))} ddns-updated ddns[0] n=2 address=203.0.113.7", lines[1]);
        Assert.Empty(cli.ErrLines);
    }

    [Fact]
    public async Task Json_prints_the_stored_objects_and_since_kind_and_limit_filter()
    {
        var now = DateTimeOffset.UtcNow;
        var old = Event(now.AddHours(-3), "ddns-updated", "ddns[0]", 1);
        var a = Event(now.AddMinutes(-30), "ddns-updated", "ddns[0]", 2);
        var b = Event(now.AddMinutes(-20), "heal-verified", "wg0", 3);
        var c = Event(now.AddMinutes(-10), "ddns-updated", "ddns[1]", 4);
        await WriteAsync(old, a, b, c);

        var cli = new CliHarness();
        Assert.Equal(0, await cli.RunAsync("events", "--state-directory", _dir.FullName, "--since", "1h", "--json"));
        Assert.Equal($"{a.Json}\n{b.Json}\n{c.Json}\n", cli.Out);

        cli = new CliHarness();
        Assert.Equal(0, await cli.RunAsync("events", "--state-directory", _dir.FullName, "--kind", "ddns-updated", "--limit", "2", "--json"));
        Assert.Equal($"{a.Json}\n{c.Json}\n", cli.Out);

        cli = new CliHarness();
        Assert.Equal(0, await cli.RunAsync("events", "--state-directory", _dir.FullName, "--since", "7d", "--kind", "upstream-lost"));
        Assert.Equal("", cli.Out);
    }

    [Fact]
    public async Task A_kind_this_version_does_not_emit_is_bad_input_that_lists_every_kind()
    {
        await WriteAsync(Event(DateTimeOffset.UtcNow, "upstream-lost", null, 1));
        var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("events", "--state-directory", _dir.FullName, "--kind", "upstream-lost", "--kind", "upstream-lots"));

        Assert.Equal("", cli.Out);
        var line = Assert.Single(cli.ErrLines);
        Assert.StartsWith("rebound: --kind: 'upstream-lots' is not an event kind; one of started, public-address-changed, ", line, StringComparison.Ordinal);
        foreach (var name in Rebound.Record.EventCatalogue.Names)
            Assert.Contains(name, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_state_directory_comes_from_the_config_file()
    {
        await WriteAsync(Event(DateTimeOffset.UtcNow, "started", null, 1));
        var config = Path.Combine(_dir.FullName, "rebound.toml");
        await File.WriteAllTextAsync(config, $"[state]\ndirectory = \"{_dir.FullName}\"\n", TestContext.Current.CancellationToken);
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("events", "--config", config));
        Assert.Contains(" started ", cli.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_journal_yet_is_one_line_and_exit_1()
    {
        var cli = new CliHarness();
        Assert.Equal(1, await cli.RunAsync("events", "--state-directory", _dir.FullName));
        var line = Assert.Single(cli.ErrLines);
        Assert.StartsWith($"rebound: no event journal at {Path.Combine(_dir.FullName, "journal.db")} yet", line, StringComparison.Ordinal);
        Assert.Empty(_dir.GetFiles());
    }

    [Fact]
    public async Task A_damaged_journal_is_one_line_and_exit_1()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir.FullName, "journal.db"), new string('x', 5000), TestContext.Current.CancellationToken);
        var cli = new CliHarness();
        Assert.Equal(1, await cli.RunAsync("events", "--state-directory", _dir.FullName));
        Assert.StartsWith("rebound: cannot read the event journal:", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--since", "soon")]
    [InlineData("--since", "0s")]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "x")]
    public async Task Bad_options_exit_2_with_one_line(string option, string value)
    {
        var cli = new CliHarness();
        Assert.Equal(2, await cli.RunAsync("events", "--state-directory", _dir.FullName, option, value));
        Assert.StartsWith($"rebound: {option}:", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_quotes_values_with_spaces_and_skips_nested_objects()
    {
        var entry = new JournalEntry(1, DateTimeOffset.UnixEpoch, "upstream-lost", null,
            "{\"time\":\"t\",\"event\":\"upstream-lost\",\"family\":\"ipv4\",\"lastAddress\":null,\"error\":\"no route to host\",\"servers\":[\"a\",\"b\"],\"evidence\":{\"rounds\":2}}");
        Assert.Equal("1970-01-01T00:00:00.000Z upstream-lost family=ipv4 error=\"no route to host\" servers=a,b",
            Rebound.Cli.Commands.EventsCommand.Describe(entry));
    }
}
