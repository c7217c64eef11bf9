using Rebound.Act.Ddns;
using System.Net;
using Rebound.Act.Ddns.Providers.Dyndns2;
using Rebound.Decide;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class DdnsTextTests
{
    [Theory]
    [InlineData("w1s", 1)]
    [InlineData("w600s", 600)]
    [InlineData("w30m", 1800)]
    [InlineData("w2h", 7200)]
    public void Wait_tokens_parse(string token, int seconds)
    {
        Assert.True(Dyndns2Answer.TryParseWait(token, out var delay));
        Assert.Equal(TimeSpan.FromSeconds(seconds), delay);
    }

    [Theory]
    [InlineData("w")]
    [InlineData("ws")]
    [InlineData("w0s")]
    [InlineData("w5")]
    [InlineData("w5d")]
    [InlineData("W5m")]
    [InlineData("w-5m")]
    [InlineData("w 5m")]
    [InlineData("w99999999h")]
    public void Malformed_wait_tokens_do_not_parse(string token) =>
        Assert.False(Dyndns2Answer.TryParseWait(token, out _));

    [Fact]
    public void Sanitise_redacts_raw_and_url_escaped_secrets_before_truncating()
    {
        const string secret = "p@ss word/+";
        var raw = $"a {secret} b {Uri.EscapeDataString(secret)} " + new string('z', 200) + secret;

        var shown = DdnsText.Sanitise(raw, [secret], 60);

        Assert.DoesNotContain("p@ss", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("p%40ss", shown, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("a *** b *** zzz", shown, StringComparison.Ordinal);
        Assert.EndsWith("...", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitise_flattens_control_characters_and_non_ascii()
    {
        var shown = DdnsText.Sanitise("line1\r\nline2\t\u001b[0m caf\u00e9", [], 100);

        Assert.Equal("line1 line2 [0m caf?", shown);
    }

    [Theory]
    [InlineData(90, "90s")]
    [InlineData(300, "5m")]
    [InlineData(3600, "1h")]
    [InlineData(1.2, "2s")]
    public void Durations_read_naturally(double seconds, string expected) =>
        Assert.Equal(expected, DdnsText.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Result_to_string_names_the_outcome()
    {
        Assert.Equal("retry in 30m: x", DdnsUpdateResult.RetryLater(TimeSpan.FromMinutes(30), "x").ToString());
        Assert.Equal("fatal: y", DdnsUpdateResult.Fatal("y").ToString());
        Assert.Equal(TimeSpan.Zero, DdnsUpdateResult.RetryLater(TimeSpan.FromSeconds(-5), "z").RetryAfter);
    }

    [Fact]
    public void Update_derives_family_and_record_type_and_unmaps_ipv4()
    {
        var mapped = new DdnsRecordUpdate("Home.Example.COM.", IPAddress.Parse("::ffff:192.0.2.1"));
        var v6 = new DdnsRecordUpdate("home.example.com", IPAddress.Parse("2001:db8::1"));

        Assert.Equal((IpFamily.Ipv4, "A", "192.0.2.1", "home.example.com"), (mapped.Family, mapped.RecordType, mapped.AddressText, mapped.Name));
        Assert.Equal((IpFamily.Ipv6, "AAAA"), (v6.Family, v6.RecordType));
    }

    [Theory]
    [InlineData("home.example.com&myip=1.2.3.4")]
    [InlineData("home example.com")]
    [InlineData("home.example.com/x")]
    [InlineData(" ")]
    public void Hostnames_that_could_smuggle_parameters_are_rejected(string host) =>
        Assert.ThrowsAny<ArgumentException>(() => new DdnsRecordUpdate(host, IPAddress.Loopback).Validate());
}
