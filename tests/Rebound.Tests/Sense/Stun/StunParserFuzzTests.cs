using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Sense.Stun;

/// <summary>
/// Deterministic, seeded fuzzing: the parser faces network input, so it must never throw, and a
/// FINGERPRINT that does not match must never be accepted.
/// </summary>
public sealed class StunParserFuzzTests
{
    private static readonly byte[] s_key = StunIntegrity.ShortTermKey(Rfc5769Vectors.ShortTermPassword);

    private static readonly ushort[] s_interestingTypes =
    [
        StunAttributeType.MappedAddress, StunAttributeType.XorMappedAddress, StunAttributeType.Username,
        StunAttributeType.MessageIntegrity, StunAttributeType.MessageIntegritySha256, StunAttributeType.ErrorCode,
        StunAttributeType.UnknownAttributes, StunAttributeType.Software, StunAttributeType.Fingerprint,
        StunAttributeType.Priority, StunAttributeType.UseCandidate, StunAttributeType.IceControlled,
        StunAttributeType.IceControlling, StunAttributeType.Realm, 0x7FFF, 0x8000, 0xFFFF, 0x0000,
    ];

    [Fact]
    public void Every_truncation_of_every_vector_is_rejected_without_throwing()
    {
        foreach (var vector in Rfc5769Vectors.All)
        {
            for (int length = 0; length < vector.Length; length++)
            {
                Assert.False(Parse(vector.AsSpan(0, length), $"truncation {length}"));

                // Same cut with the header length patched to agree, so the attribute walk meets the cut.
                if (length >= StunConstants.HeaderLength)
                {
                    var patched = vector[..length];
                    BinaryPrimitives.WriteUInt16BigEndian(patched.AsSpan(2), (ushort)(length - StunConstants.HeaderLength));
                    Parse(patched, $"patched truncation {length}");
                }
            }
        }
    }

    [Fact]
    public void No_single_bit_flip_passes_a_fingerprint_check()
    {
        foreach (var vector in Rfc5769Vectors.All)
        {
            for (int bit = 0; bit < vector.Length * 8; bit++)
            {
                var copy = (byte[])vector.Clone();
                copy[bit / 8] ^= (byte)(1 << (bit % 8));
                if (!Parse(copy, $"bit {bit}"))
                    continue;

                // A flip in a type or length field can reframe the message so that FINGERPRINT is no
                // longer an attribute (swallowed by a longer USERNAME, or renamed to an unknown optional
                // type). That message is legitimately fingerprint-less; what must never happen is a
                // corrupted message that still claims a valid fingerprint.
                Assert.True(StunMessageParser.TryParse(copy, out var message, out _));
                Assert.False(message.HasFingerprint, $"bit {bit} flipped and the fingerprint still matched");
            }
        }
    }

    [Fact]
    public void Corrupted_fingerprint_values_are_always_rejected()
    {
        var random = new Random(5769);
        var buffer = new byte[StunConstants.MaxDatagramLength];
        for (int i = 0; i < 10_000; i++)
        {
            int length = StunMessageWriter.WriteBindingSuccessResponse(
                buffer, RandomTransactionId(random), RandomEndPoint(random), RandomText(random), fingerprint: true);
            uint corruption = (uint)random.Next(1, int.MaxValue) | (uint)random.Next(2) << 31;
            var fingerprint = buffer.AsSpan(length - 4, 4);
            BinaryPrimitives.WriteUInt32BigEndian(fingerprint, BinaryPrimitives.ReadUInt32BigEndian(fingerprint) ^ corruption);

            Assert.False(StunMessageParser.TryParse(buffer.AsSpan(0, length), out _, out var error));
            Assert.Equal(StunParseErrorKind.FingerprintMismatch, error.Kind);
        }
    }

    [Fact]
    public void Seeded_random_corpus_never_throws()
    {
        var random = new Random(8489);
        var stopwatch = Stopwatch.StartNew();
        int cases = 0;

        // Random bit flips (1-8 bits) in the vectors.
        foreach (var vector in Rfc5769Vectors.All)
        {
            for (int i = 0; i < 15_000; i++, cases++)
            {
                var copy = (byte[])vector.Clone();
                int flips = random.Next(1, 9);
                for (int f = 0; f < flips; f++)
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                Parse(copy, $"flips {i}");
            }
        }

        // Pure random bytes, odd and even lengths, including zero.
        for (int i = 0; i < 30_000; i++, cases++)
        {
            var bytes = new byte[random.Next(0, 160)];
            random.NextBytes(bytes);
            Parse(bytes, $"random {i}");
        }

        // A valid header followed by random attribute TLVs whose lengths may overflow or underflow.
        var buffer = new byte[512];
        for (int i = 0; i < 40_000; i++, cases++)
        {
            int length = RandomStructuredMessage(random, buffer);
            Parse(buffer.AsSpan(0, length), $"structured {i}");
        }

        Assert.True(cases >= 100_000);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"fuzzing took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Round_trip_of_binding_messages_gives_back_what_was_written()
    {
        var random = new Random(3489);
        var buffer = new byte[StunConstants.MaxDatagramLength];
        for (int i = 0; i < 5_000; i++)
        {
            var transactionId = RandomTransactionId(random);
            var mapped = RandomEndPoint(random);
            string? software = random.Next(2) == 0 ? null : RandomText(random);
            bool fingerprint = random.Next(2) == 0;
            bool legacy = random.Next(4) == 0;

            int length = StunMessageWriter.WriteBindingSuccessResponse(buffer, transactionId, mapped, software, fingerprint, legacy);
            Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out var message, out var error), error.ToString());
            Assert.Equal(StunMessageType.BindingSuccessResponse, message.MessageType);
            Assert.Equal(transactionId, message.TransactionId);
            Assert.Equal(mapped, message.ReflexiveAddress);
            Assert.Equal(legacy ? null : mapped, message.XorMappedAddress);
            Assert.Equal(software, message.Software);
            Assert.Equal(fingerprint, message.HasFingerprint);
            Assert.Equal(length, message.Length);

            int code = random.Next(300, 700);
            string reason = RandomText(random);
            length = StunMessageWriter.WriteBindingErrorResponse(buffer, transactionId, code, reason, software, fingerprint);
            Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out message, out error), error.ToString());
            Assert.Equal(StunMessageClass.ErrorResponse, message.Class);
            Assert.Equal(new StunErrorCode(code, reason), message.ErrorCode);

            length = StunMessageWriter.WriteBindingRequest(buffer, transactionId, software, fingerprint);
            Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out message, out error), error.ToString());
            Assert.Equal(StunMessageType.BindingRequest, message.MessageType);
            Assert.Equal(transactionId, message.TransactionId);
            Assert.Equal(software, message.Software);
        }
    }

    [Fact]
    public void Round_trip_covers_both_families_explicitly()
    {
        var buffer = new byte[128];
        var transactionId = StunTransactionId.NewRandom();
        foreach (var mapped in new[]
        {
            new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853),
            new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
            new IPEndPoint(IPAddress.Any, 0),
            new IPEndPoint(IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 65535),
        })
        {
            int length = StunMessageWriter.WriteBindingSuccessResponse(buffer, transactionId, mapped, fingerprint: true);
            Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out var message, out _));
            Assert.Equal(mapped, message.XorMappedAddress);
        }
    }

    [Fact]
    public void Rfc5769_vectors_are_reproduced_byte_for_byte_by_the_writer()
    {
        // The IPv4 response minus its 0x20 SOFTWARE padding, which the RFC uses on purpose and we write as zeros.
        var vector = Rfc5769Vectors.SampleIPv4Response;
        Assert.True(StunMessageParser.TryParse(vector, out var parsed, out _));

        var buffer = new byte[128];
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingSuccessResponse, parsed.TransactionId);
        builder.AddText(StunAttributeType.Software, "test vector");
        builder.AddAddress(StunAttributeType.XorMappedAddress, parsed.XorMappedAddress!);
        builder.AddMessageIntegrity(s_key);
        builder.AddFingerprint();
        var written = buffer.AsSpan(0, builder.Length);

        Assert.Equal(vector.Length, written.Length);
        Assert.Equal(vector.AsSpan(0, 35).ToArray(), written[..35].ToArray());
        Assert.Equal(vector.AsSpan(36, 12).ToArray(), written.Slice(36, 12).ToArray()); // XOR-MAPPED-ADDRESS
        Assert.True(StunMessageParser.TryParse(written, out var reparsed, out _));
        Assert.True(StunIntegrity.VerifyMessageIntegrity(written, reparsed, s_key));
    }

    /// <summary>Parses, fails the test on any exception, and exercises the integrity checks on success.</summary>
    private static bool Parse(ReadOnlySpan<byte> datagram, string caseName)
    {
        try
        {
            if (!StunMessageParser.TryParse(datagram, out var message, out _))
                return false;
            StunIntegrity.VerifyMessageIntegrity(datagram, message, s_key);
            StunIntegrity.VerifyMessageIntegritySha256(datagram, message, s_key);
            return true;
        }
#pragma warning disable CA1031 // The point is to report any exception type with the case that caused it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Assert.Fail($"{caseName}: parser threw {ex}");
            return false;
        }
    }

    private static int RandomStructuredMessage(Random random, byte[] buffer)
    {
        int offset = StunConstants.HeaderLength;
        int attributes = random.Next(0, 6);
        for (int a = 0; a < attributes; a++)
        {
            ushort type = random.Next(3) == 0 ? (ushort)random.Next(0x10000) : s_interestingTypes[random.Next(s_interestingTypes.Length)];
            int valueLength = random.Next(4) switch
            {
                0 => random.Next(0x10000), // very likely overflows the message
                1 => random.Next(0, 40),
                _ => new[] { 0, 4, 8, 20, 32 }[random.Next(5)],
            };
            int room = buffer.Length - offset - 4;
            if (room < 0)
                break;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset), type);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(offset + 2), (ushort)valueLength);
            int written = Math.Min((valueLength + 3) & ~3, room);
            random.NextBytes(buffer.AsSpan(offset + 4, written));
            if (type is StunAttributeType.XorMappedAddress or StunAttributeType.MappedAddress && written > 1)
                buffer[offset + 5] = (byte)random.Next(0, 4); // mostly plausible families
            offset += 4 + written;
        }

        // Usually end on a 4-byte boundary with an agreeing header; sometimes not.
        int length = random.Next(8) == 0 ? Math.Max(0, offset - random.Next(0, 4)) : offset;
        var header = new StunMessageBuilder(buffer, (ushort)random.Next(0x4000), RandomTransactionId(random));
        _ = header.Length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(Math.Max(length, StunConstants.HeaderLength) - StunConstants.HeaderLength));
        return length;
    }

    private static StunTransactionId RandomTransactionId(Random random)
    {
        Span<byte> bytes = stackalloc byte[StunConstants.TransactionIdLength];
        random.NextBytes(bytes);
        return StunTransactionId.Read(bytes);
    }

    private static IPEndPoint RandomEndPoint(Random random)
    {
        var address = new byte[random.Next(2) == 0 ? 4 : 16];
        random.NextBytes(address);
        return new IPEndPoint(new IPAddress(address), random.Next(0, 65536));
    }

    private static string RandomText(Random random)
    {
        const string alphabet = "abcXYZ 0123456789-_./:éß€😀";
        int length = random.Next(0, 40);
        var text = new System.Text.StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            // Pick a text element so surrogate pairs are never split.
            int index = random.Next(alphabet.Length - 1);
            if (char.IsLowSurrogate(alphabet[index]))
                index--;
            text.Append(alphabet[index]);
            if (char.IsHighSurrogate(alphabet[index]))
                text.Append(alphabet[index + 1]);
        }

        return text.ToString();
    }
}
