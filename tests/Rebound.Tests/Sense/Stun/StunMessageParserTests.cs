using System.Buffers.Binary;
using System.Net;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Sense.Stun;

public sealed class StunMessageParserTests
{
    private static readonly byte[] s_key = StunIntegrity.ShortTermKey(Rfc5769Vectors.ShortTermPassword);

    [Fact]
    public void Rfc5769_sample_request_parses_with_valid_fingerprint_and_integrity()
    {
        var datagram = Rfc5769Vectors.SampleRequest;

        Assert.True(StunMessageParser.TryParse(datagram, out var message, out var error), error.ToString());
        Assert.Equal(StunMessageType.BindingRequest, message.MessageType);
        Assert.Equal(StunMessageClass.Request, message.Class);
        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.Equal("b7e7a701bc34d686fa87dfae", message.TransactionId.ToString());
        Assert.Equal("STUN test client", message.Software);
        Assert.Equal("evtj:h6vY", message.Username);
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(0x932ff9b151263b36ul, message.IceControlled);
        Assert.True(message.HasFingerprint);
        Assert.True(StunIntegrity.VerifyMessageIntegrity(datagram, message, s_key));
        Assert.False(StunIntegrity.VerifyMessageIntegrity(datagram, message, StunIntegrity.ShortTermKey("wrong")));
    }

    [Fact]
    public void Rfc5769_sample_IPv4_response_parses_to_the_published_address()
    {
        var datagram = Rfc5769Vectors.SampleIPv4Response;

        Assert.True(StunMessageParser.TryParse(datagram, out var message, out var error), error.ToString());
        Assert.Equal(StunMessageClass.SuccessResponse, message.Class);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), message.XorMappedAddress);
        Assert.Equal(message.XorMappedAddress, message.ReflexiveAddress);
        Assert.Equal("test vector", message.Software);
        Assert.True(message.HasFingerprint);
        Assert.True(StunIntegrity.VerifyMessageIntegrity(datagram, message, s_key));
    }

    [Fact]
    public void Rfc5769_sample_IPv6_response_parses_to_the_published_address()
    {
        var datagram = Rfc5769Vectors.SampleIPv6Response;

        Assert.True(StunMessageParser.TryParse(datagram, out var message, out var error), error.ToString());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), message.XorMappedAddress);
        Assert.Equal("test vector", message.Software);
        Assert.True(message.HasFingerprint);
        Assert.True(StunIntegrity.VerifyMessageIntegrity(datagram, message, s_key));
    }

    [Fact]
    public void Integrity_check_fails_when_a_covered_byte_changes_even_with_the_fingerprint_fixed()
    {
        var datagram = Rfc5769Vectors.SampleIPv4Response;
        datagram[30] ^= 0x01; // inside SOFTWARE
        RewriteFingerprint(datagram);

        Assert.True(StunMessageParser.TryParse(datagram, out var message, out _));
        Assert.False(StunIntegrity.VerifyMessageIntegrity(datagram, message, s_key));
    }

    [Fact]
    public void Corrupted_fingerprint_is_rejected()
    {
        var datagram = Rfc5769Vectors.SampleIPv4Response;
        datagram[^1] ^= 0x80;

        Assert.False(StunMessageParser.TryParse(datagram, out _, out var error));
        Assert.Equal(StunParseErrorKind.FingerprintMismatch, error.Kind);
    }

    [Fact]
    public void Attribute_after_fingerprint_is_rejected()
    {
        var buffer = new byte[128];
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingSuccessResponse, StunTransactionId.NewRandom());
        builder.AddFingerprint();
        builder.AddText(StunAttributeType.Software, "late");

        Assert.False(StunMessageParser.TryParse(buffer.AsSpan(0, builder.Length), out _, out var error));
        Assert.Equal(StunParseErrorKind.FingerprintNotLast, error.Kind);
        Assert.Equal(StunAttributeType.Software, error.AttributeType);
    }

    [Fact]
    public void Unknown_comprehension_required_attribute_is_rejected_naming_its_type()
    {
        var buffer = new byte[128];
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingSuccessResponse, StunTransactionId.NewRandom());
        builder.AddAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Loopback, 1234));
        builder.AddAttribute(0x7F01, [1, 2, 3]);

        Assert.False(StunMessageParser.TryParse(buffer.AsSpan(0, builder.Length), out _, out var error));
        Assert.Equal(StunParseErrorKind.UnknownComprehensionRequiredAttribute, error.Kind);
        Assert.Equal(0x7F01, error.AttributeType);
        Assert.Contains("0x7F01", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_comprehension_optional_attribute_is_skipped()
    {
        var buffer = new byte[128];
        var mapped = new IPEndPoint(IPAddress.Parse("203.0.113.9"), 40000);
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingSuccessResponse, StunTransactionId.NewRandom());
        builder.AddAttribute(0xC001, [1, 2, 3, 4, 5]);
        builder.AddAddress(StunAttributeType.XorMappedAddress, mapped);
        builder.AddFingerprint();

        Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, builder.Length), out var message, out var error), error.ToString());
        Assert.Equal(mapped, message.ReflexiveAddress);
        Assert.Equal([(ushort)0xC001], message.SkippedAttributes);
    }

    [Fact]
    public void Ice_attributes_are_known()
    {
        var buffer = new byte[128];
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        builder.AddAttribute(StunAttributeType.UseCandidate, []);
        builder.AddAttribute(StunAttributeType.IceControlling, [0, 0, 0, 0, 0, 0, 0, 7]);

        Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, builder.Length), out var message, out var error), error.ToString());
        Assert.True(message.UseCandidate);
        Assert.Equal(7ul, message.IceControlling);
    }

    [Fact]
    public void Legacy_mapped_address_is_used_when_there_is_no_xor_mapped_address()
    {
        var buffer = new byte[128];
        var mapped = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 3478);
        int length = StunMessageWriter.WriteBindingSuccessResponse(buffer, StunTransactionId.NewRandom(), mapped, legacyMappedAddress: true);

        Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out var message, out _));
        Assert.Null(message.XorMappedAddress);
        Assert.Equal(mapped, message.MappedAddress);
        Assert.Equal(mapped, message.ReflexiveAddress);
    }

    [Fact]
    public void Error_response_carries_code_and_reason()
    {
        var buffer = new byte[128];
        int length = StunMessageWriter.WriteBindingErrorResponse(buffer, StunTransactionId.NewRandom(), 420, "Unknown Attribute", fingerprint: true);

        Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, length), out var message, out _));
        Assert.Equal(StunMessageClass.ErrorResponse, message.Class);
        Assert.Equal(new StunErrorCode(420, "Unknown Attribute"), message.ErrorCode);
        Assert.Equal("error 420: Unknown Attribute", message.ErrorCode!.ToString());
    }

    [Theory]
    [InlineData(new byte[0], StunParseErrorKind.TooShort)]
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x00 }, StunParseErrorKind.TooShort)]
    public void Short_input_is_rejected(byte[] datagram, StunParseErrorKind expected)
    {
        Assert.False(StunMessageParser.TryParse(datagram, out _, out var error));
        Assert.Equal(expected, error.Kind);
    }

    [Fact]
    public void Header_checks_reject_bad_top_bits_length_and_cookie()
    {
        Assert.Equal(StunParseErrorKind.NotStun, ErrorOf(d => d[0] |= 0x80));
        Assert.Equal(StunParseErrorKind.LengthNotMultipleOfFour, ErrorOf(d => d[3] = 0x3d));
        Assert.Equal(StunParseErrorKind.LengthMismatch, ErrorOf(d => d[3] = 0x40));
        Assert.Equal(StunParseErrorKind.BadMagicCookie, ErrorOf(d => d[4] = 0x22));

        static StunParseErrorKind ErrorOf(Action<byte[]> corrupt)
        {
            var datagram = Rfc5769Vectors.SampleIPv4Response;
            corrupt(datagram);
            Assert.False(StunMessageParser.TryParse(datagram, out _, out var error));
            return error.Kind;
        }
    }

    [Fact]
    public void Attribute_length_running_past_the_end_is_rejected()
    {
        var datagram = Rfc5769Vectors.SampleIPv4Response;
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(22), 0xFFF0); // SOFTWARE length

        Assert.False(StunMessageParser.TryParse(datagram, out _, out var error));
        Assert.Equal(StunParseErrorKind.TruncatedAttribute, error.Kind);
        Assert.Equal(StunAttributeType.Software, error.AttributeType);
    }

    [Fact]
    public void Address_with_wrong_length_for_its_family_is_rejected()
    {
        var datagram = Rfc5769Vectors.SampleIPv4Response;
        datagram[41] = 0x02; // XOR-MAPPED-ADDRESS family says IPv6, value is 8 bytes
        RewriteFingerprint(datagram);

        Assert.False(StunMessageParser.TryParse(datagram, out _, out var error));
        Assert.Equal(StunParseErrorKind.InvalidAttribute, error.Kind);
        Assert.Equal(StunAttributeType.XorMappedAddress, error.AttributeType);
    }

    [Fact]
    public void Attributes_after_message_integrity_other_than_fingerprint_are_ignored()
    {
        var buffer = new byte[256];
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingSuccessResponse, StunTransactionId.NewRandom());
        builder.AddAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Loopback, 1));
        builder.AddMessageIntegrity(s_key);
        builder.AddText(StunAttributeType.Software, "not covered");
        builder.AddAttribute(0x7F02, [9]); // would be rejected before the integrity attribute
        builder.AddFingerprint();

        Assert.True(StunMessageParser.TryParse(buffer.AsSpan(0, builder.Length), out var message, out var error), error.ToString());
        Assert.Null(message.Software);
    }

    [Fact]
    public void Written_message_integrity_verifies_and_survives_a_fingerprint()
    {
        var buffer = new byte[256];
        var builder = new StunMessageBuilder(buffer, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        builder.AddText(StunAttributeType.Username, "a:b");
        builder.AddMessageIntegrity(s_key);
        builder.AddFingerprint();
        var datagram = buffer.AsSpan(0, builder.Length);

        Assert.True(StunMessageParser.TryParse(datagram, out var message, out _));
        Assert.True(StunIntegrity.VerifyMessageIntegrity(datagram, message, s_key));
        Assert.False(StunIntegrity.VerifyMessageIntegritySha256(datagram, message, s_key));
    }

    /// <summary>Recomputes the trailing FINGERPRINT after a deliberate corruption elsewhere.</summary>
    internal static void RewriteFingerprint(byte[] datagram)
    {
        uint crc = StunCrc32.Fingerprint(datagram.AsSpan(0, datagram.Length - 8));
        BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(datagram.Length - 4), crc);
    }
}
