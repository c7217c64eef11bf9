using Rebound.Configuration;

namespace Rebound.Tests.Record.Journal;

public sealed class JournalConfigTests
{
    private const string Rest = "[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\n";

    [Fact]
    public void Without_a_journal_table_the_defaults_apply()
    {
        var result = ConfigLoader.Parse(Rest, "r.toml");
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(TimeSpan.FromDays(30), result.Config!.Journal.Retention);
        Assert.Equal(100_000, result.Config.Journal.MaxEvents);
    }

    [Fact]
    public void Retention_and_max_events_are_read()
    {
        var result = ConfigLoader.Parse("[journal]\nretention = \"7d\"\nmax_events = 5000\n" + Rest, "r.toml");
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(new JournalConfig(TimeSpan.FromDays(7), 5000), result.Config!.Journal);
    }

    [Theory]
    [InlineData("retention = \"0s\"", "journal.retention")]
    [InlineData("retention = \"forever\"", "journal.retention")]
    [InlineData("retention = 30", "journal.retention")]
    [InlineData("max_events = 0", "journal.max_events")]
    [InlineData("max_events = \"many\"", "journal.max_events")]
    [InlineData("keep = 3", "journal.keep")]
    public void Bad_values_are_problems_with_line_and_key(string line, string key)
    {
        var result = ConfigLoader.Parse($"[journal]\n{line}\n" + Rest, "r.toml");
        var problem = Assert.Single(result.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Equal(key, problem.Key);
    }

    [Fact]
    public void The_journal_key_must_be_a_table()
    {
        var result = ConfigLoader.Parse("journal = 1\n" + Rest, "r.toml");
        Assert.Equal("journal", Assert.Single(result.Problems).Key);
    }
}
