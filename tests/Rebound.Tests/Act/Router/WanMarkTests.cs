using Rebound.Act.Router;

namespace Rebound.Tests.Act.Router;

public sealed class WanMarkTests
{
    [Theory]
    [InlineData("0x100/0xff00", 0x100u, 0xff00u, "0x100/0xff00")]
    [InlineData("0x100", 0x100u, 0xffffffffu, "0x100")]
    [InlineData("256/65280", 0x100u, 0xff00u, "0x100/0xff00")]
    [InlineData("0X2a", 0x2au, 0xffffffffu, "0x2a")]
    public void Parses_value_and_mask(string text, uint value, uint mask, string shown)
    {
        Assert.True(WanMark.TryParse(text, out var mark));
        Assert.Equal(new WanMark(value, mask), mark);
        Assert.Equal(shown, mark.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0x100/")]
    [InlineData("0x1ff/0xff00")]
    [InlineData("0")]
    [InlineData("0x100/0")]
    [InlineData("wan1")]
    [InlineData("-1")]
    [InlineData("0x100000000")]
    [InlineData(" 0x100")]
    public void Refuses_what_cannot_be_a_mark(string text) => Assert.False(WanMark.TryParse(text, out _));

    [Fact]
    public void Matches_under_the_mask_and_never_an_unmarked_connection()
    {
        var mark = new WanMark(0x100, 0xff00);
        Assert.True(mark.Matches(0x100));
        Assert.True(mark.Matches(0x10100));
        Assert.False(mark.Matches(0x200));
        Assert.False(mark.Matches(0));
        Assert.False(mark.Matches(null));
    }
}
