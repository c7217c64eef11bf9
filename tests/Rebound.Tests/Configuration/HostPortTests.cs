using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

/// <summary>The one host:port grammar, with each use's default port (or none).</summary>
public sealed class HostPortTests
{
    [Theory]
    [InlineData("ns1.example.net", 53, "ns1.example.net", 53)]
    [InlineData("ns1.example.net:5353", 53, "ns1.example.net", 5353)]
    [InlineData("203.0.113.53", 53, "203.0.113.53", 53)]
    [InlineData("[2001:db8::53]:5353", 53, "2001:db8::53", 5353)]
    [InlineData("[2001:db8::53]", 3478, "2001:db8::53", 3478)]
    [InlineData("2001:db8::53", 3478, "2001:db8::53", 3478)]
    [InlineData(" stun.example.net:19302 ", 3478, "stun.example.net", 19302)]
    public void A_missing_port_is_the_uses_default(string text, int defaultPort, string host, int port)
    {
        Assert.True(HostPort.TryParse(text, defaultPort, out var value, out var error), error);
        Assert.Equal(new HostPort(host, port), value);
    }

    [Theory]
    [InlineData("vpn.home.test")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8::1")]
    public void Where_a_use_has_no_default_port_it_must_be_given(string text)
    {
        Assert.False(HostPort.TryParse(text, defaultPort: null, out _, out var error));
        Assert.Contains("a port is needed", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("h:0", "port")]
    [InlineData("h:65536", "port")]
    [InlineData("[2001:db8::1:53", "]")]
    [InlineData("[203.0.113.1]:53", "IPv6")]
    [InlineData("[2001:db8::1]x", "':PORT'")]
    [InlineData("bad host:53", "host")]
    [InlineData("-bad.example:53", "host")]
    public void Bad_text_says_why(string text, string expected)
    {
        Assert.False(HostPort.TryParse(text, 53, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2001:db8::1", 51820, "[2001:db8::1]:51820")]
    [InlineData("198.51.100.1", 53, "198.51.100.1:53")]
    [InlineData("vpn.example.net", 51820, "vpn.example.net:51820")]
    public void It_prints_what_it_reads(string host, int port, string text)
    {
        Assert.Equal(text, new HostPort(host, port).ToString());
        Assert.True(HostPort.TryParse(text, defaultPort: null, out var back, out _));
        Assert.Equal(new HostPort(host, port), back);
    }

    [Fact]
    public void Every_use_reads_it_the_same_way_with_its_own_default()
    {
        const string Rest = "[[ddns]]\nprovider = \"rfc2136\"\nzone = \"home.test\"\nnames = [\"gw.home.test\"]\n";
        var dns = ConfigLoader.Parse(Rest + "server = \"[2001:db8::53]\"\nverify_server = \"ns.home.test\"\n", "r.toml", _ => null);
        var stun = ConfigLoader.Parse("[watch]\nservers = [\"[2001:db8::3]\"]\n", "r.toml", _ => null);

        Assert.True(dns.IsValid, string.Join("\n", dns.Problems));
        Assert.Equal(new HostPort("2001:db8::53", 53), dns.Config!.Ddns[0].SettingsAs<Rebound.Act.Ddns.Providers.Rfc2136.Rfc2136Settings>().Server);
        Assert.Equal(new HostPort("ns.home.test", 53), dns.Config.Ddns[0].VerifyServer);
        Assert.Equal("[2001:db8::3]:3478", Assert.Single(stun.Config!.Watch.Servers).Name);
    }
}
