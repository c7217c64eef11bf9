using System.Net;
using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Lab.Tests.Dns;

/// <summary>The RFC 2136/8945 client against a real BIND primary on 127.0.0.1 (no root needed).</summary>
public sealed class BindUpdateTests
{
    private static readonly DnsName s_gw = DnsName.Parse("gw.home.test");
    private static readonly DnsName s_mail = DnsName.Parse("mail.home.test");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Update_changes_the_A_record_and_nothing_else_in_the_zone()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);
        var before = await bind.AxfrAsync();
        uint serialBefore = await bind.SerialAsync();

        var result = await Client(bind).UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.7"), 120)], Token);

        Assert.True(result.Succeeded, $"{result}\n{bind.Log}");
        Assert.True(result.ResponseVerified, "a signed success must carry a TSIG we verified");
        Assert.Equal(["198.51.100.7"], await QueryAsync(bind, s_gw, DnsRecordType.A));
        Assert.Equal("198.51.100.7", (await bind.DigAsync("gw.home.test", "A", "+short")).Trim());

        var after = await bind.AxfrAsync();
        Assert.Equal(Without(before, "gw.home.test. 300 IN A 192.0.2.10"), Without(after, "gw.home.test. 120 IN A 198.51.100.7"));
        Assert.True(await bind.SerialAsync() > serialBefore);
    }

    [Fact]
    public async Task Two_names_and_both_families_change_in_one_message()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);
        var before = await bind.AxfrAsync();

        var result = await Client(bind).UpdateAsync(BindServer.Zone,
        [
            new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.1")),
            new DnsAddressUpdate(s_mail, IPAddress.Parse("198.51.100.2")),
            new DnsAddressUpdate(s_gw, IPAddress.Parse("2001:db8::77")),
        ], Token);

        Assert.True(result.Succeeded, $"{result}\n{bind.Log}");
        Assert.Equal(["198.51.100.1"], await QueryAsync(bind, s_gw, DnsRecordType.A));
        Assert.Equal(["2001:db8::77"], await QueryAsync(bind, s_gw, DnsRecordType.Aaaa));
        Assert.Equal("198.51.100.2", (await bind.DigAsync("mail.home.test", "A", "+short")).Trim());
        Assert.Equal("2001:db8::77", (await bind.DigAsync("gw.home.test", "AAAA", "+short")).Trim());

        var after = await bind.AxfrAsync();
        Assert.Equal(
            Without(before, "gw.home.test. 300 IN A 192.0.2.10", "mail.home.test. 300 IN A 192.0.2.25"),
            Without(after, "gw.home.test. 60 IN A 198.51.100.1", "mail.home.test. 60 IN A 198.51.100.2", "gw.home.test. 60 IN AAAA 2001:db8::77"));
    }

    [Fact]
    public async Task Hmac_sha512_key_works_over_UDP_and_TCP()
    {
        await using var bind = await BindServer.StartAsync("hmac-sha512", Token);
        Assert.Equal(TsigAlgorithm.HmacSha512, bind.Key.Algorithm);

        var udp = await Client(bind).UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.5"))], Token);
        Assert.True(udp.Succeeded, $"{udp}\n{bind.Log}");
        Assert.True(udp.ResponseVerified);
        Assert.False(udp.UsedTcp);

        var tcp = await Client(bind, tcpOnly: true).UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.6"))], Token);
        Assert.True(tcp.Succeeded, $"{tcp}\n{bind.Log}");
        Assert.True(tcp.ResponseVerified);
        Assert.True(tcp.UsedTcp);
        Assert.Equal(["198.51.100.6"], await QueryAsync(bind, s_gw, DnsRecordType.A));
    }

    [Fact]
    public async Task Wrong_secret_is_reported_as_BADSIG_and_changes_nothing()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);
        var before = await bind.AxfrAsync();
        var wrong = new TsigKey(bind.Key.Name, bind.Key.Algorithm, new byte[32]);

        var result = await Client(bind, wrong).UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.9"))], Token);

        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.Equal(DnsRcode.BadSig, result.Rcode);
        Assert.Contains("BADSIG", result.Message);
        Assert.Contains("signature", result.Message);
        Assert.Equal(before, await bind.AxfrAsync());
    }

    [Fact]
    public async Task Unknown_key_name_is_reported_as_BADKEY()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);
        var unknown = new TsigKey(DnsName.Parse("nobody-key"), TsigAlgorithm.HmacSha256, new byte[32]);

        var result = await Client(bind, unknown).UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.9"))], Token);

        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.Equal(DnsRcode.BadKey, result.Rcode);
        Assert.StartsWith("TSIG BADKEY: the server does not know key nobody-key.", result.Message);
    }

    [Fact]
    public async Task Skewed_clock_is_reported_as_BADTIME_with_the_server_time()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = bind.EndPoint, Key = bind.Key }, new SkewedTime(TimeSpan.FromHours(2)));

        var result = await client.UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.9"))], Token);

        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        Assert.Equal(Rfc2136Status.TsigError, result.Status);
        Assert.Equal(DnsRcode.BadTime, result.Rcode);
        Assert.Contains("clock skew", result.Message);
        Assert.Contains(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd"), result.Message); // the server's time is quoted
        Assert.True(result.ResponseVerified, "BIND signs BADTIME answers; the signature must verify");
        Assert.DoesNotContain('\n', result.Message);
    }

    [Fact]
    public async Task Zone_the_server_does_not_serve_is_a_clear_NOTAUTH()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);
        var other = DnsName.Parse("other.test");

        var result = await Client(bind).UpdateAsync(other, [new DnsAddressUpdate(DnsName.Parse("gw.other.test"), IPAddress.Parse("198.51.100.9"))], Token);

        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        Assert.Equal(Rfc2136Status.DnsError, result.Status);
        Assert.True(result.Rcode is DnsRcode.NotAuth or DnsRcode.NotZone, result.ToString());
        Assert.Contains("other.test.", result.Message);
        Assert.DoesNotContain('\n', result.Message);
    }

    [Fact]
    public async Task Key_without_a_grant_is_REFUSED()
    {
        await using var bind = await BindServer.StartAsync(cancellationToken: Token);

        var result = await Client(bind, bind.ReadOnlyKey).UpdateAsync(BindServer.Zone, [new DnsAddressUpdate(s_gw, IPAddress.Parse("198.51.100.9"))], Token);

        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        Assert.Equal(Rfc2136Status.DnsError, result.Status);
        Assert.Equal(DnsRcode.Refused, result.Rcode);
        Assert.StartsWith("REFUSED", result.Message);
        Assert.True(result.ResponseVerified);
    }

    private static Rfc2136Client Client(BindServer bind, TsigKey? key = null, bool tcpOnly = false) =>
        new(new Rfc2136ClientOptions { Server = bind.EndPoint, Key = key ?? bind.Key, TcpOnly = tcpOnly });

    private static async Task<List<string>> QueryAsync(BindServer bind, DnsName name, DnsRecordType type)
    {
        var result = await Client(bind).QueryAsync(name, type, Token);
        Assert.True(result.Succeeded, result.ToString());
        Assert.True(result.ResponseVerified);
        return result.Response!.Answers.Where(a => a.Type == type).Select(a => a.Address!.ToString()).ToList();
    }

    private static List<string> Without(List<string> lines, params string[] removed)
    {
        foreach (var line in removed)
            Assert.Contains(line, lines);
        return lines.Where(l => !removed.Contains(l)).ToList();
    }

    private sealed class SkewedTime(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
