using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

/// <summary>The one duration grammar: the command line's rule (bare number = seconds, at most a day), the file's, one formatter.</summary>
public sealed class ConfigDurationTests
{
    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("20", 20_000)]
    [InlineData("1min", 60_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2S", 2000)]
    public void Valid_command_line_durations_parse(string text, int milliseconds)
    {
        Assert.True(ConfigDuration.TryParse(text, DurationRule.CommandLine, out var value, out var expected), expected);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("5 parsecs")]
    [InlineData("3d")]
    [InlineData("25h")]
    public void Invalid_command_line_durations_are_rejected(string text) =>
        Assert.False(ConfigDuration.TryParse(text, DurationRule.CommandLine, out _, out _));

    [Fact]
    public void A_bare_number_is_seconds_on_the_command_line_only()
    {
        Assert.True(ConfigDuration.TryParse("90", DurationRule.CommandLine, out var seconds, out _));
        Assert.Equal(TimeSpan.FromSeconds(90), seconds);
        Assert.False(ConfigDuration.TryParse("90", DurationRule.Positive(), out _, out _));
    }

    [Theory]
    [InlineData(10, "a duration greater than zero like \"500ms\", \"1s\" or \"2m\" (at most 10m)")]
    [InlineData(24 * 60, "a duration greater than zero like \"500ms\", \"1s\", \"2m\" or \"1h\" (at most 1d)")]
    public void The_message_offers_only_examples_the_rule_accepts(int maxMinutes, string expected)
    {
        var rule = DurationRule.Positive(TimeSpan.FromMinutes(maxMinutes));

        Assert.False(ConfigDuration.TryParse("7d", rule, out _, out var message));
        Assert.Equal(expected, message);
    }

    [Fact]
    public void The_command_line_message_says_a_bare_number_is_seconds() =>
        Assert.Equal("a duration greater than zero like \"500ms\", \"1s\", \"2m\" or \"1h\" (at most 1d; a bare number is seconds)",
            ConfigDuration.Expected(DurationRule.CommandLine));

    [Theory]
    [InlineData(500, "500ms")]
    [InlineData(1500, "1.5s")]
    [InlineData(90_000, "90s")]
    [InlineData(120_000, "2m")]
    [InlineData(5_400_000, "90m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(604_800_000, "7d")]
    public void Format_writes_what_the_parser_reads_back(long milliseconds, string text)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, ConfigDuration.Format(value));
        Assert.True(ConfigDuration.TryParse(text, out var back));
        Assert.Equal(value, back);
    }

    [Theory]
    [InlineData(90, "90s")]
    [InlineData(300, "5m")]
    [InlineData(3600, "1h")]
    [InlineData(1.2, "2s")]
    [InlineData(0.3, "1s")]
    public void A_wait_is_rounded_up_to_whole_seconds(double seconds, string expected) =>
        Assert.Equal(expected, ConfigDuration.Format(TimeSpan.FromSeconds(seconds), roundUpToSeconds: true));
}
