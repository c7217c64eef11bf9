using System.Net;
using System.Text;
using Rebound.Sense;
using Rebound.Sense.DnsWhoami;
using Rebound.Sense.Gateway;
using Rebound.Sense.Http;
using Rebound.Sense.Sources;

namespace Rebound.Tests.Sense.Sources;

public sealed class AddressSourceParsingTests
{
    [Theory]
    [InlineData("203.0.113.10", AddressSourceKind.Stun, "203.0.113.10:3478")]
    [InlineData("stun:stun.example.net:19302", AddressSourceKind.Stun, "stun.example.net:19302")]
    [InlineData("https://echo.example/cdn-cgi/trace", AddressSourceKind.Http, "https://echo.example/cdn-cgi/trace")]
    [InlineData("dns:myip.opendns.com@resolver1.opendns.com", AddressSourceKind.Dns, "dns:myip.opendns.com@resolver1.opendns.com:53/A")]
    [InlineData("dns:whoami.cloudflare@1.1.1.1/CH", AddressSourceKind.Dns, "dns:whoami.cloudflare@1.1.1.1:53/TXT/CH")]
    [InlineData("dns:whoami.pdns.test@[2001:db8:f::54]", AddressSourceKind.Dns, "dns:whoami.pdns.test@[2001:db8:f::54]:53/AAAA")]
    [InlineData("natpmp", AddressSourceKind.NatPmp, "natpmp")]
    [InlineData("upnp:http://10.77.0.1:5000/rootDesc.xml", AddressSourceKind.Upnp, "upnp:http://10.77.0.1:5000/rootDesc.xml")]
    public void Each_kind_parses(string text, AddressSourceKind kind, string name)
    {
        Assert.True(AddressSourceSpec.TryParse(text, out var spec, out var error), error);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(name, spec.Name);
    }

    [Theory]
    [InlineData("ftp://echo.example/")]
    [InlineData("dns:@1.1.1.1")]
    [InlineData("dns:name@1.1.1.1/MX")]
    [InlineData("dns:name@1.1.1.1/A/A")]
    [InlineData("natpmp:gateway.lan")]
    [InlineData("upnp:https://10.77.0.1/")]
    [InlineData("https://user:pw@echo.example/")]
    [InlineData("bad host:1")]
    public void Bad_sources_are_one_line_errors(string text)
    {
        Assert.False(AddressSourceSpec.TryParse(text, out _, out var error));
        Assert.DoesNotContain('\n', error);
    }

    [Theory]
    [InlineData("198.51.100.2", "198.51.100.2")]
    [InlineData("2001:db8::1\n", "2001:db8::1")]
    [InlineData("{\"ip\":\"192.0.2.2\"}", "192.0.2.2")]
    [InlineData("{\"country\":\"x\",\"address\":\"192.0.2.3\"}", "192.0.2.3")]
    [InlineData("fl=1\nh=echo\nip=192.0.2.4\nts=1\nvisit_scheme=https\n", "192.0.2.4")]
    public void Echo_formats_are_read(string body, string expected)
    {
        Assert.True(HttpAddressParser.TryParse(Encoding.UTF8.GetBytes(body), out var address, out var error), error);
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>hello</html>")]
    [InlineData("1")]
    [InlineData("0x7f.1")]
    [InlineData("{\"ip\":5}")]
    [InlineData("{\"ip\":\"not an address\"}")]
    [InlineData("{broken")]
    [InlineData("ip=fe80::1%eth0")]
    public void Echo_answers_that_are_not_an_address_are_errors(string body)
    {
        Assert.False(HttpAddressParser.TryParse(Encoding.UTF8.GetBytes(body), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("192.0.2.2", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("203.0.113.5", false)]
    [InlineData("2a00:1450::1", true)]
    [InlineData("2001:db8::1", false)]
    [InlineData("fd00::1", false)]
    public void Public_ranges(string address, bool isPublic) =>
        Assert.Equal(isPublic, AddressRanges.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void A_private_answer_from_a_public_server_is_implausible_but_not_from_a_lab_server_or_the_gateway()
    {
        var answer = new AddressAnswer(IPAddress.Parse("10.0.0.5"), TimeSpan.Zero, null, IPAddress.Parse("8.8.8.8"), 0, 0);
        Assert.NotNull(AddressRanges.Implausible(answer, AddressSourceKind.Http));
        Assert.Null(AddressRanges.Implausible(answer, AddressSourceKind.NatPmp));
        Assert.Null(AddressRanges.Implausible(answer with { Server = IPAddress.Parse("203.0.113.80") }, AddressSourceKind.Http));
    }

    [Fact]
    public void Dns_query_and_answer_round_trip_with_compression_and_a_cname_first()
    {
        var query = new byte[512];
        var length = DnsWhoamiCodec.WriteQuery(query, 0x1234, "whoami.pdns.test", DnsWhoamiType.A, chaos: false);
        Assert.Equal(12 + 18 + 4, length);

        // Answer: the question echoed, a CNAME, then an A record, both names as pointers to the question.
        var answer = new List<byte>(query[..length]);
        answer[2] = 0x81;
        answer[3] = 0x80;
        answer[7] = 2; // ANCOUNT
        answer.AddRange([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12]);
        answer.AddRange([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 50]);
        Assert.True(DnsWhoamiCodec.TryReadAnswer(answer.ToArray(), 0x1234, DnsWhoamiType.A, out var address, out var error), error);
        Assert.Equal(IPAddress.Parse("192.0.2.50"), address);

        Assert.False(DnsWhoamiCodec.TryReadAnswer(answer.ToArray(), 0x4321, DnsWhoamiType.A, out _, out _));
        Assert.False(DnsWhoamiCodec.TryReadAnswer(answer.ToArray().AsSpan(0, answer.Count - 2), 0x1234, DnsWhoamiType.A, out _, out error));
        Assert.Contains("past the message", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Dns_txt_answers_and_error_codes()
    {
        var query = new byte[512];
        var length = DnsWhoamiCodec.WriteQuery(query, 7, "whoami.cloudflare", DnsWhoamiType.Txt, chaos: true);
        Assert.Equal(3, query[length - 1]); // class CHAOS
        var answer = new List<byte>(query[..length]);
        answer[2] = 0x80;
        answer[7] = 1;
        var txt = "edns0-client-subnet 0/0"u8.ToArray();
        var ip = "198.51.100.2"u8.ToArray();
        answer.AddRange([0xc0, 12, 0, 16, 0, 3, 0, 0, 0, 0, 0, (byte)(2 + txt.Length + ip.Length), (byte)txt.Length, .. txt, (byte)ip.Length, .. ip]);
        Assert.True(DnsWhoamiCodec.TryReadAnswer(answer.ToArray(), 7, DnsWhoamiType.Txt, out var address, out var error), error);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), address);

        var refused = answer.ToArray();
        refused[3] = 5;
        Assert.False(DnsWhoamiCodec.TryReadAnswer(refused, 7, DnsWhoamiType.Txt, out _, out error));
        Assert.Contains("REFUSED", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Nat_pmp_answers()
    {
        byte[] ok = [0, 128, 0, 0, 0, 0, 1, 0, 192, 0, 2, 2];
        Assert.Equal(IPAddress.Parse("192.0.2.2"), NatPmpAddressSource.Parse(ok, out _));
        byte[] failure = [0, 128, 0, 3, 0, 0, 1, 0, 0, 0, 0, 0];
        Assert.Null(NatPmpAddressSource.Parse(failure, out var error));
        Assert.Contains("network failure", error, StringComparison.Ordinal);
        Assert.Null(NatPmpAddressSource.Parse(ok.AsSpan(0, 8), out _));
    }

    [Fact]
    public void Upnp_description_gives_the_wan_connection_control_url()
    {
        const string description = """
            <root><device><serviceList>
            <service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/L3F</controlURL></service>
            <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL>/ctl/IPConn</controlURL></service>
            </serviceList></device></root>
            """;
        var found = UpnpAddressSource.FindControl(description, new Uri("http://10.77.0.1:5000/rootDesc.xml"));
        Assert.Equal(new Uri("http://10.77.0.1:5000/ctl/IPConn"), found?.Control);
        Assert.Equal("urn:schemas-upnp-org:service:WANIPConnection:2", found?.ServiceType);
        Assert.Equal("192.0.2.2", UpnpAddressSource.Element("<s:Body><u:R><NewExternalIPAddress>192.0.2.2</NewExternalIPAddress></u:R></s:Body>", "NewExternalIPAddress"));
    }

    [Fact]
    public void Adaptive_timeout_follows_the_rtt_within_floor_and_ceiling_and_backs_off()
    {
        var t = new AdaptiveTimeout(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), t.Current); // nothing measured yet
        for (var i = 0; i < 20; i++)
        {
            t.OnAnswer(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(250), t.Current);
        t.OnTimeout();
        Assert.Equal(TimeSpan.FromMilliseconds(500), t.Current);
        t.OnTimeout();
        t.OnTimeout();
        Assert.Equal(TimeSpan.FromSeconds(1), t.Current);
        t.OnAnswer(TimeSpan.FromMilliseconds(300)); // a slower backup link: the next timeout leaves room for it
        Assert.True(t.Current > TimeSpan.FromMilliseconds(300), t.Current.ToString());
    }

    [Fact]
    public void Public_defaults_are_two_stun_providers_and_an_https_echo_of_a_third()
    {
        var defaults = AddressSources.PublicDefaults;
        Assert.Equal(2, defaults.Count(d => d.Kind == AddressSourceKind.Stun));
        var https = Assert.IsType<HttpSourceSpec>(Assert.Single(defaults, d => d.Kind == AddressSourceKind.Http));
        Assert.Equal("https", https.Url.Scheme);
        var providers = defaults.OfType<StunTarget>().Select(t => t.Host).Append(https.Url.Host).Select(h => string.Join('.', h.Split('.')[^2..]));
        Assert.Equal(3, providers.Distinct().Count());
    }
}
