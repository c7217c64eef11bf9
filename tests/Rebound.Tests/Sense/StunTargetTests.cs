using Rebound.Sense;

namespace Rebound.Tests.Sense;

public sealed class StunTargetTests
{
    [Theory]
    [InlineData("203.0.113.10:3478", "203.0.113.10", 3478)]
    [InlineData("203.0.113.10", "203.0.113.10", 3478)]
    [InlineData("stun.example.net:19302", "stun.example.net", 19302)]
    [InlineData("[2001:db8::1]:3479", "2001:db8::1", 3479)]
    [InlineData("[2001:db8::1]", "2001:db8::1", 3478)]
    [InlineData("2001:db8::1", "2001:db8::1", 3478)]
    public void Valid_servers_parse(string text, string host, int port)
    {
        Assert.True(StunTarget.TryParse(text, out var target, out var error), error);
        Assert.Equal(host, target!.Host);
        Assert.Equal(port, target.Port);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("203.0.113.10:0", "port")]
    [InlineData("203.0.113.10:65536", "port")]
    [InlineData("203.0.113.10:abc", "port")]
    [InlineData("203.0.113.10:-1", "port")]
    [InlineData("[2001:db8::1:3478", "]")]
    [InlineData("[203.0.113.10]:3478", "IPv6")]
    [InlineData("bad_host!:3478", "host")]
    [InlineData(":3478", "host")]
    public void Invalid_servers_say_why(string text, string expected)
    {
        Assert.False(StunTarget.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_print_ipv6_in_brackets() =>
        Assert.Equal("[2001:db8::1]:3478", new StunTarget("2001:db8::1", 3478).Name);

    [Fact]
    public void Defaults_are_two_servers_of_different_providers()
    {
        Assert.Equal(2, StunTarget.PublicDefaults.Count);
        var domains = StunTarget.PublicDefaults.Select(t => string.Join('.', t.Host.Split('.')[^2..])).Distinct().Count();
        Assert.Equal(2, domains);
    }
}
