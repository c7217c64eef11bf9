using System.Net;
using System.Security.Cryptography;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Sense.Stun;

public sealed class StunMessageTypeTests
{
    [Theory]
    [InlineData(StunMessageClass.Request, StunMessageType.BindingRequest)]
    [InlineData(StunMessageClass.Indication, StunMessageType.BindingIndication)]
    [InlineData(StunMessageClass.SuccessResponse, StunMessageType.BindingSuccessResponse)]
    [InlineData(StunMessageClass.ErrorResponse, StunMessageType.BindingErrorResponse)]
    public void Binding_types_encode_to_the_rfc_values(StunMessageClass messageClass, ushort expected)
    {
        Assert.Equal(expected, StunMessageType.Encode(StunMethod.Binding, messageClass));
        Assert.Equal(messageClass, StunMessageType.GetClass(expected));
        Assert.Equal(StunMethod.Binding, StunMessageType.GetMethod(expected));
    }

    [Fact]
    public void Every_method_and_class_round_trips_through_the_interleaved_bits()
    {
        for (int method = 0; method < 0x1000; method++)
        {
            foreach (var messageClass in Enum.GetValues<StunMessageClass>())
            {
                ushort type = StunMessageType.Encode((StunMethod)method, messageClass);
                Assert.Equal(0, type & 0xC000);
                Assert.Equal((StunMethod)method, StunMessageType.GetMethod(type));
                Assert.Equal(messageClass, StunMessageType.GetClass(type));
            }
        }
    }

    [Fact]
    public void Transaction_ids_are_random_and_round_trip()
    {
        var a = StunTransactionId.NewRandom();
        var b = StunTransactionId.NewRandom();
        Assert.NotEqual(a, b);

        Span<byte> bytes = stackalloc byte[StunConstants.TransactionIdLength];
        a.WriteTo(bytes);
        Assert.Equal(a, StunTransactionId.Read(bytes));
        Assert.Equal(Convert.ToHexStringLower(bytes), a.ToString());
    }

    [Fact]
    public void Message_integrity_sha256_is_verified_including_truncated_forms()
    {
        var key = StunIntegrity.ShortTermKey("secret");
        foreach (int macLength in new[] { 32, 16 })
        {
            var buffer = new byte[128];
            var builder = new StunMessageBuilder(buffer, StunMessageType.BindingSuccessResponse, StunTransactionId.NewRandom());
            builder.AddAddress(StunAttributeType.XorMappedAddress, new IPEndPoint(IPAddress.Loopback, 9));
            int offset = builder.Length;
            builder.AddAttribute(StunAttributeType.MessageIntegritySha256, new byte[macLength]);
            // The header length now counts the attribute, as RFC 8489 §14.6 wants during hashing.
            var mac = HMACSHA256.HashData(key, buffer.AsSpan(0, offset));
            mac.AsSpan(0, macLength).CopyTo(buffer.AsSpan(offset + 4));
            builder.AddFingerprint();
            var datagram = buffer.AsSpan(0, builder.Length);

            Assert.True(StunMessageParser.TryParse(datagram, out var message, out var error), error.ToString());
            Assert.Equal(offset, message.MessageIntegritySha256Offset);
            Assert.True(StunIntegrity.VerifyMessageIntegritySha256(datagram, message, key));
            Assert.False(StunIntegrity.VerifyMessageIntegritySha256(datagram, message, StunIntegrity.ShortTermKey("other")));
            Assert.False(StunIntegrity.VerifyMessageIntegrity(datagram, message, key));
        }
    }
}
