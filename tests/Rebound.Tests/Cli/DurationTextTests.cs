using Rebound.Cli;

namespace Rebound.Tests.Cli;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("20", 20_000)]
    public void Valid_durations_parse(string text, int milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value, out var error), error);
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
    public void Invalid_durations_are_rejected(string text) =>
        Assert.False(DurationText.TryParse(text, out _, out _));
}
