using Rebound.Act.Ddns.Rfc2136;
using static Rebound.Tests.Act.Ddns.Rfc2136.DnsTestData;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

public sealed class TsigTests
{
    private const long Time = 1_700_000_000; // 0x6553F100

    [Theory]
    [InlineData("hmac-sha256")]
    [InlineData("hmac-sha512")]
    public void Request_MAC_equals_an_independently_computed_HMAC(string algorithm)
    {
        var key = algorithm == "hmac-sha512" ? Key512 : Key256;
        var secret = Convert.FromBase64String(algorithm == "hmac-sha512" ? Secret512 : Secret256);
        var message = Update();

        var signed = Tsig.Sign(message, key, Time, out var mac);

        // RFC 8945 §4.3.3: message | key name | CLASS ANY | TTL 0 | algorithm | time | fudge | error | other len
        var digestInput = Concat(message, Wire("rebound-key"), U16(255), U32(0), Wire(algorithm), [0, 0, 0x65, 0x53, 0xF1, 0x00], U16(300), U16(0), U16(0));
        var expectedMac = Hmac(algorithm, secret, digestInput);
        Assert.Equal(expectedMac, mac);

        var rdata = Concat(Wire(algorithm), U48(Time), U16(300), U16(expectedMac.Length), expectedMac, U16(0x1234), U16(0), U16(0));
        var expected = Concat(message, Wire("rebound-key"), U16(250), U16(255), U32(0), U16(rdata.Length), rdata);
        expected[11] = 1; // ARCOUNT
        Assert.Equal(expected, signed);
    }

    [Fact]
    public void Signed_request_parses_with_its_TSIG_separated()
    {
        var signed = Tsig.Sign(Update(), Key256, Time, out var mac);
        Assert.True(DnsMessageParser.TryParse(signed, out var message, out var error), error);
        Assert.Empty(message.Additionals);
        Assert.NotNull(message.Tsig);
        Assert.Equal(Key256.Name, message.Tsig.KeyName);
        Assert.Equal(Time, message.Tsig.TimeSigned);
        Assert.Equal(mac, message.Tsig.Mac.ToArray());
        Assert.Equal(Update().Length, message.Tsig.Offset);
    }

    [Theory]
    [InlineData("hmac-sha256")]
    [InlineData("hmac-sha512")]
    public void Independently_signed_response_verifies(string algorithm)
    {
        var key = algorithm == "hmac-sha512" ? Key512 : Key256;
        var secret = Convert.FromBase64String(algorithm == "hmac-sha512" ? Secret512 : Secret256);
        Tsig.Sign(Update(), key, Time, out var requestMac);
        var response = SignResponse(UpdateResponse(), "rebound-key", algorithm, secret, requestMac, Time + 1);

        Assert.Null(Verify(response, key, requestMac, Time + 2));
    }

    [Fact]
    public void Every_tampered_byte_of_a_signed_response_fails_verification()
    {
        var secret = Convert.FromBase64String(Secret256);
        Tsig.Sign(Update(), Key256, Time, out var requestMac);
        var response = SignResponse(UpdateResponse(), "rebound-key", "hmac-sha256", secret, requestMac, Time);

        // The header ID is deliberately outside the MAC (RFC 8945 §4.3.1 uses Original ID instead): start after it.
        for (int i = 2; i < response.Length; i++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0x20 })
            {
                var tampered = (byte[])response.Clone();
                tampered[i] ^= flip;
                if (!DnsMessageParser.TryParse(tampered, out var message, out _))
                    continue;
                // Flipping the case of a letter in the TSIG key or algorithm name leaves the canonical form,
                // and so the MAC, unchanged (0x01 and 0x80 flips still cover those bytes).
                if (flip == 0x20 && i >= message.Tsig?.Offset && char.IsAsciiLetter((char)response[i]))
                    continue;
                Assert.True(Tsig.VerifyResponse(tampered, message, Key256, requestMac, Time) is not null, $"byte {i} flip {flip:X2} of {Convert.ToHexString(response)}");
            }
        }
    }

    [Fact]
    public void Wrong_request_MAC_wrong_key_and_stale_time_fail()
    {
        var secret = Convert.FromBase64String(Secret256);
        Tsig.Sign(Update(), Key256, Time, out var requestMac);
        var response = SignResponse(UpdateResponse(), "rebound-key", "hmac-sha256", secret, requestMac, Time);

        var otherMac = (byte[])requestMac.Clone();
        otherMac[0] ^= 1;
        Assert.Contains("does not verify", Verify(response, Key256, otherMac, Time));
        var wrongSecret = new TsigKey(Key256.Name, TsigAlgorithm.HmacSha256, new byte[32]);
        Assert.Contains("does not verify", Verify(response, wrongSecret, requestMac, Time));
        Assert.Contains("signed with key rebound-key., not other.", Verify(response, new TsigKey(DnsName.Parse("other"), TsigAlgorithm.HmacSha256, secret), requestMac, Time));
        Assert.Contains("algorithm", Verify(response, Key512, requestMac, Time));
        Assert.Contains("clock skew", Verify(response, Key256, requestMac, Time + 301));
        Assert.Null(Verify(response, Key256, requestMac, Time + 300));
        Assert.Contains("not signed", Verify(UpdateResponse(), Key256, requestMac, Time));
    }

    [Fact]
    public void Key_names_compare_in_canonical_case()
    {
        var secret = Convert.FromBase64String(Secret256);
        var upper = new TsigKey(DnsName.Parse("Rebound-KEY"), TsigAlgorithm.HmacSha256, secret);
        Tsig.Sign(Update(), upper, Time, out var mac);
        Tsig.Sign(Update(), Key256, Time, out var lower);
        Assert.Equal(lower, mac);
    }

    internal static byte[] UpdateResponse(ushort id = 0x1234, int rcode = 0) =>
        Concat(U16(id), U16(0xA800 | rcode), U16(1), U16(0), U16(0), U16(0), Wire("home.test"), U16(6), U16(1));

    private static string? Verify(byte[] response, TsigKey key, byte[] requestMac, long now)
    {
        Assert.True(DnsMessageParser.TryParse(response, out var message, out var error), error);
        return Tsig.VerifyResponse(response, message, key, requestMac, now);
    }
}
