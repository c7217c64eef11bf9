using Rebound.Act.Ddns.Rfc2136;
using static Rebound.Tests.Act.Ddns.Rfc2136.DnsTestData;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

/// <summary>
/// Deterministic, seeded fuzzing of everything that reads network input: the parser, name
/// decompression and TSIG verification must never throw, and a corrupted response must never verify.
/// </summary>
public sealed class DnsFuzzTests
{
    private const long Time = 1_700_000_000;

    private static readonly byte[] s_requestMac = SignedRequestMac();

    private static readonly byte[] s_signedResponse =
        SignResponse(TsigTests.UpdateResponse(), "rebound-key", "hmac-sha256", Convert.FromBase64String(Secret256), s_requestMac, Time);

    private static readonly byte[][] s_corpus =
    [
        QueryAnswer(7),
        Update(),
        Tsig.Sign(Update(), Key256, Time, out _),
        Tsig.Sign(QueryAnswer(9), Key512, Time, out _),
        s_signedResponse,
        SignResponse(TsigTests.UpdateResponse(rcode: 9), "rebound-key", "hmac-sha256", [1], [], Time, error: 18, other: U48(Time + 999)),
    ];

    [Fact]
    public void Every_truncation_and_every_bit_flip_of_real_messages_is_handled()
    {
        int cases = 0;
        foreach (var message in s_corpus)
        {
            for (int length = 0; length < message.Length; length++)
            {
                Exercise(message.AsSpan(0, length).ToArray());
                cases++;
            }

            for (int bit = 0; bit < message.Length * 8; bit++)
            {
                var copy = (byte[])message.Clone();
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                Exercise(copy);
                cases++;
            }
        }

        Assert.True(cases > 5_000, $"{cases} cases");
    }

    [Fact]
    public void Random_mutations_never_throw_and_never_forge_a_signature()
    {
        var random = new Random(20261126);
        int verified = 0;
        for (int i = 0; i < 120_000; i++)
        {
            var source = s_corpus[random.Next(s_corpus.Length)];
            byte[] data;
            switch (random.Next(4))
            {
                case 0: // a few random byte changes
                    data = (byte[])source.Clone();
                    for (int n = random.Next(1, 4); n > 0; n--)
                        data[random.Next(data.Length)] = (byte)random.Next(256);
                    break;
                case 1: // splice: truncate and append random bytes
                    data = [.. source.AsSpan(0, random.Next(source.Length)), .. RandomBytes(random, random.Next(0, 40))];
                    break;
                case 2: // pure noise behind a plausible header
                    data = [.. source.AsSpan(0, Math.Min(12, source.Length)), .. RandomBytes(random, random.Next(0, 300))];
                    break;
                default: // compression pointers sprinkled in
                    data = (byte[])source.Clone();
                    int at = random.Next(data.Length - 1);
                    data[at] = (byte)(0xC0 | random.Next(0, 2));
                    data[at + 1] = (byte)random.Next(256);
                    break;
            }

            if (Exercise(data) && source == s_signedResponse)
                verified++;
        }

        // Mutations that only change letter case in the TSIG names, or hit nothing, may still verify;
        // Exercise already asserted that any verifying message equals the original up to such case.
        Assert.True(verified < 120_000);
    }

    [Fact]
    public void Name_reader_survives_every_offset_of_every_message()
    {
        foreach (var message in s_corpus)
        {
            for (int offset = -1; offset <= message.Length + 1; offset++)
            {
                int at = offset;
                if (DnsName.TryRead(message, ref at, out var name))
                {
                    Assert.InRange(at, offset + 1, message.Length);
                    Assert.InRange(name.Wire.Length, 1, DnsName.MaxWireLength);
                }
            }
        }
    }

    /// <summary>Parses and verifies; returns whether the message verified as a response to our request.</summary>
    private static bool Exercise(byte[] data)
    {
        if (!DnsMessageParser.TryParse(data, out var message, out var error))
        {
            Assert.False(string.IsNullOrEmpty(error));
            return false;
        }

        _ = message.ToString();
        foreach (var record in message.Answers.Concat(message.Authorities).Concat(message.Additionals))
            _ = record.ToString();
        _ = message.Tsig?.ServerTime;
        if (message.Tsig is { } tsig)
            _ = DnsErrorText.DescribeTsig(tsig, Key256, Time);
        _ = DnsErrorText.Describe(message.Header.Rcode, Zone);

        if (Tsig.VerifyResponse(data, message, Key256, s_requestMac, Time) is not null)
            return false;

        // Only the original signed response may verify. Not covered by the MAC by design: the header ID
        // (Original ID stands in for it, RFC 8945 §4.3.1) and letter case in the TSIG names (canonical form).
        Assert.Equal(s_signedResponse.Length, data.Length);
        Assert.Equal(
            s_signedResponse.AsSpan(2, message.Tsig!.Offset - 2).ToArray(),
            data.AsSpan(2, message.Tsig.Offset - 2).ToArray());
        return true;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] SignedRequestMac()
    {
        Tsig.Sign(Update(), Key256, Time, out var mac);
        return mac;
    }
}
