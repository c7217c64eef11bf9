using System.Net;
using Rebound.Act.Ddns.Rfc2136;
using static Rebound.Tests.Act.Ddns.Rfc2136.DnsTestData;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

public sealed class DnsCodecTests
{
    [Fact]
    public void Update_message_matches_hand_written_bytes()
    {
        var actual = DnsMessageBuilder.BuildUpdate(0x1234, Zone, [new DnsAddressUpdate(DnsName.Parse("gw.home.test."), IPAddress.Parse("192.0.2.1"), 60)]);

        byte[] expected =
        [
            0x12, 0x34, 0x28, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, // id, opcode UPDATE, ZO 1, PR 0, UP 2, AD 0
            4, (byte)'h', (byte)'o', (byte)'m', (byte)'e', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0, 0x00, 0x06, 0x00, 0x01, // zone SOA IN
            2, (byte)'g', (byte)'w', 4, (byte)'h', (byte)'o', (byte)'m', (byte)'e', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0,
            0x00, 0x01, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // delete RRset: A, ANY, TTL 0, RDLENGTH 0
            2, (byte)'g', (byte)'w', 4, (byte)'h', (byte)'o', (byte)'m', (byte)'e', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0,
            0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 192, 0, 2, 1, // add: A IN 60 192.0.2.1
        ];
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Several_names_go_into_one_message_with_one_delete_per_name_and_type()
    {
        var message = Parse(DnsMessageBuilder.BuildUpdate(7, Zone,
        [
            new DnsAddressUpdate(DnsName.Parse("gw.home.test"), IPAddress.Parse("192.0.2.1")),
            new DnsAddressUpdate(DnsName.Parse("vpn.home.test"), IPAddress.Parse("192.0.2.9")),
            new DnsAddressUpdate(DnsName.Parse("gw.home.test"), IPAddress.Parse("192.0.2.2")),
            new DnsAddressUpdate(DnsName.Parse("gw.home.test"), IPAddress.Parse("2001:db8::1")),
        ]));

        Assert.Equal(DnsOpcode.Update, message.Header.Opcode);
        Assert.Equal(new DnsQuestion(Zone, DnsRecordType.Soa), Assert.Single(message.Questions));
        Assert.Equal(
            ["gw.home.test. Any A -", "gw.home.test. IN A 192.0.2.1", "vpn.home.test. Any A -", "vpn.home.test. IN A 192.0.2.9",
             "gw.home.test. IN A 192.0.2.2", "gw.home.test. Any Aaaa -", "gw.home.test. IN Aaaa 2001:db8::1"],
            message.Authorities.Select(r => $"{r.Name} {r.Class} {r.Type} {(r.Address?.ToString() ?? (r.Data.IsEmpty && r.Ttl == 0 ? "-" : "?"))}"));
    }

    [Fact]
    public void Update_rejects_names_outside_the_zone_and_empty_updates()
    {
        Assert.Throws<ArgumentException>(() => DnsMessageBuilder.BuildUpdate(1, Zone, [new DnsAddressUpdate(DnsName.Parse("gw.other.test"), IPAddress.Loopback)]));
        Assert.Throws<ArgumentException>(() => DnsMessageBuilder.BuildUpdate(1, Zone, [new DnsAddressUpdate(DnsName.Parse("xhome.test"), IPAddress.Loopback)]));
        Assert.Throws<ArgumentException>(() => DnsMessageBuilder.BuildUpdate(1, Zone, []));
    }

    [Fact]
    public void Query_matches_hand_written_bytes()
    {
        Assert.Equal(
            Concat(U16(0xBEEF), U16(0), U16(1), U16(0), U16(0), U16(0), Wire("gw.home.test"), U16(28), U16(1)),
            DnsMessageBuilder.BuildQuery(0xBEEF, DnsName.Parse("gw.home.test"), DnsRecordType.Aaaa));
    }

    [Fact]
    public void Compressed_answer_is_decoded()
    {
        var message = Parse(QueryAnswer(42));

        Assert.True(message.Header.IsResponse);
        Assert.True(message.Header.IsAuthoritative);
        Assert.Equal(DnsRcode.NoError, message.Header.Rcode);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], message.Answers.Select(a => a.Address!.ToString()));
        Assert.All(message.Answers, a => Assert.Equal(DnsName.Parse("GW.Home.Test."), a.Name));
        var soa = Assert.Single(message.Authorities).Soa;
        Assert.NotNull(soa);
        Assert.Equal(DnsName.Parse("ns.home.test"), soa.PrimaryServer);
        Assert.Equal(DnsName.Parse("home.test"), soa.ResponsibleMailbox);
        Assert.Equal(2026112601u, soa.Serial);
        Assert.Equal(300u, soa.Minimum);
    }

    [Fact]
    public void Round_trip_through_writer_and_parser_preserves_everything()
    {
        var original = Parse(QueryAnswer(42));
        var rewritten = DnsMessageBuilder.Build(original);
        var again = Parse(rewritten);

        Assert.Equal(original.Header, again.Header);
        Assert.Equal(original.Questions, again.Questions);
        Assert.Equal(original.Answers.Count + original.Authorities.Count, again.Answers.Count + again.Authorities.Count);
        foreach (var (a, b) in original.Answers.Concat(original.Authorities).Zip(again.Answers.Concat(again.Authorities)))
        {
            Assert.Equal((a.Name, a.Type, a.Class, a.Ttl, a.Soa), (b.Name, b.Type, b.Class, b.Ttl, b.Soa));
            Assert.Equal(a.Data.ToArray(), b.Data.ToArray());
        }

        Assert.Equal(rewritten, DnsMessageBuilder.Build(again));
        var update = Update();
        Assert.Equal(update, DnsMessageBuilder.Build(Parse(update)));
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 12 }, "pointer to itself")]
    [InlineData(new byte[] { 0xC0, 14 }, "forward pointer")]
    [InlineData(new byte[] { 0xFF, 0xFF }, "pointer out of range")]
    [InlineData(new byte[] { 0xC0 }, "half a pointer")]
    [InlineData(new byte[] { 0x40, 1, 0 }, "extended label type")]
    [InlineData(new byte[] { 0x80, 1, 0 }, "reserved label type")]
    [InlineData(new byte[] { 5, (byte)'a' }, "label past the end")]
    [InlineData(new byte[] { 1, (byte)'a' }, "no root label")]
    public void Bad_names_are_rejected(byte[] name, string why)
    {
        var message = Concat(U16(1), U16(0x8000), U16(1), U16(0), U16(0), U16(0), name, U16(1), U16(1));
        Assert.False(DnsMessageParser.TryParse(message, out _, out var error), why);
        Assert.Contains("question", error);
    }

    [Fact]
    public void Pointer_loop_between_two_names_is_rejected()
    {
        // Question name at 12 is "a" + pointer to 17; at 17 a second name points back to 12.
        var message = Concat(U16(1), U16(0x8000), U16(2), U16(0), U16(0), U16(0),
            [1, (byte)'a', 0xC0, 17], U16(1), U16(1), [1, (byte)'b', 0xC0, 12], U16(1), U16(1));
        Assert.False(DnsMessageParser.TryParse(message, out _, out _));

        int offset = 12;
        Assert.False(DnsName.TryRead(message, ref offset, out _));
    }

    [Fact]
    public void Backward_pointer_chains_are_followed()
    {
        var message = Concat(U16(1), U16(0x8000), U16(3), U16(0), U16(0), U16(0),
            Wire("test"), U16(1), U16(1),              // 12: test.
            [4, .. "home"u8, 0xC0, 12], U16(1), U16(1), // 22: home.test.
            [2, .. "gw"u8, 0xC0, 22], U16(1), U16(1));  // 33: gw.home.test.
        Assert.Equal(["test.", "home.test.", "gw.home.test."], Parse(message).Questions.Select(q => q.Name.ToString()));
    }

    [Fact]
    public void Names_longer_than_255_bytes_are_rejected_even_through_pointers()
    {
        var label = Concat([63], Enumerable.Repeat((byte)'x', 63).ToArray());
        var name = Concat(label, label, label, label, [0]); // 257 bytes
        var message = Concat(U16(1), U16(0x8000), U16(1), U16(0), U16(0), U16(0), name, U16(1), U16(1));
        Assert.False(DnsMessageParser.TryParse(message, out _, out _));
        Assert.False(DnsName.TryParse(string.Join('.', Enumerable.Repeat(new string('x', 63), 4)), out _));
        Assert.True(DnsName.TryParse(string.Join('.', Enumerable.Repeat(new string('x', 63), 3)) + "." + new string('x', 61), out _));
    }

    [Fact]
    public void Trailing_garbage_and_missing_records_are_rejected()
    {
        var good = QueryAnswer(1);
        Assert.False(DnsMessageParser.TryParse(Concat(good, [0]), out _, out var trailing));
        Assert.Contains("after the last record", trailing);
        var claimsMore = (byte[])good.Clone();
        claimsMore[7]++;
        Assert.False(DnsMessageParser.TryParse(claimsMore, out _, out _));
    }

    [Theory]
    [InlineData("gw.home.test", "gw.home.test.")]
    [InlineData("GW.Home.Test.", "GW.Home.Test.")]
    [InlineData(".", ".")]
    [InlineData("_acme-challenge.home.test", "_acme-challenge.home.test.")]
    public void Names_parse_and_print(string text, string printed) => Assert.Equal(printed, DnsName.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("..")]
    [InlineData("a b")]
    [InlineData("bad\\name")]
    [InlineData("ü.test")]
    public void Invalid_names_are_rejected(string text) => Assert.False(DnsName.TryParse(text, out _));

    [Fact]
    public void Subdomain_checks_respect_label_boundaries()
    {
        Assert.True(DnsName.Parse("gw.home.test").IsSubdomainOf(Zone));
        Assert.True(DnsName.Parse("HOME.test").IsSubdomainOf(Zone));
        Assert.False(DnsName.Parse("xhome.test").IsSubdomainOf(Zone));
        Assert.False(DnsName.Parse("test").IsSubdomainOf(Zone));
        Assert.True(Zone.IsSubdomainOf(DnsName.Root));
    }

    private static DnsMessage Parse(byte[] data)
    {
        Assert.True(DnsMessageParser.TryParse(data, out var message, out var error), error);
        return message;
    }
}
