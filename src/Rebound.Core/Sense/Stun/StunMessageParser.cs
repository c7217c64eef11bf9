using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Rebound.Sense.Stun;

/// <summary>
/// Validates and decodes one STUN datagram (RFC 8489 §5, §14). Never throws: anything it does not
/// like comes back as a <see cref="StunParseError"/>, because its input arrives from the network.
/// </summary>
public static class StunMessageParser
{
    // Upper bounds from RFC 8489 §14: enough to reject absurd values without limiting real servers.
    private const int MaxUsernameLength = 513;
    private const int MaxTextLength = 763;
    private const int MaxReasonLength = 763;
    private const int MessageIntegrityLength = 20;

    // A lenient decoder: bad UTF-8 becomes U+FFFD instead of an exception.
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static bool TryParse(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out StunMessage? message, out StunParseError error)
    {
        message = null;
        if (datagram.Length < StunConstants.HeaderLength)
            return Fail(StunParseErrorKind.TooShort, out error);

        ushort messageType = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        if ((messageType & 0xC000) != 0)
            return Fail(StunParseErrorKind.NotStun, out error);

        int bodyLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if ((bodyLength & 3) != 0)
            return Fail(StunParseErrorKind.LengthNotMultipleOfFour, out error);
        if (bodyLength != datagram.Length - StunConstants.HeaderLength)
            return Fail(StunParseErrorKind.LengthMismatch, out error);
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != StunConstants.MagicCookie)
            return Fail(StunParseErrorKind.BadMagicCookie, out error);

        var parsed = new StunMessage(messageType, StunTransactionId.Read(datagram[8..]), datagram.Length);
        List<ushort>? skipped = null;
        int offset = StunConstants.HeaderLength;
        while (offset < datagram.Length)
        {
            if (datagram.Length - offset < StunConstants.AttributeHeaderLength)
                return Fail(StunParseErrorKind.TruncatedAttribute, out error);

            ushort attributeType = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int paddedLength = (valueLength + 3) & ~3;
            if (paddedLength > datagram.Length - offset - StunConstants.AttributeHeaderLength)
                return Fail(StunParseErrorKind.TruncatedAttribute, out error, attributeType);

            var value = datagram.Slice(offset + StunConstants.AttributeHeaderLength, valueLength);
            if (attributeType == StunAttributeType.Fingerprint)
            {
                // Covers everything before it; the header length already includes it because it is last.
                if (valueLength != 4)
                    return Fail(StunParseErrorKind.InvalidAttribute, out error, attributeType);
                int next = offset + StunConstants.AttributeHeaderLength + 4;
                if (next != datagram.Length)
                {
                    ushort nextType = datagram.Length - next >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(datagram[next..]) : (ushort)0;
                    return Fail(StunParseErrorKind.FingerprintNotLast, out error, nextType);
                }

                if (BinaryPrimitives.ReadUInt32BigEndian(value) != StunCrc32.Fingerprint(datagram[..offset]))
                    return Fail(StunParseErrorKind.FingerprintMismatch, out error, attributeType);
                parsed.HasFingerprint = true;
            }
            else if (IsAfterIntegrity(parsed, attributeType))
            {
                // RFC 8489 §14.5/§14.6: attributes after the integrity check are ignored, not trusted.
            }
            else
            {
                var kind = ApplyAttribute(parsed, attributeType, value, offset, ref skipped);
                if (kind != StunParseErrorKind.None)
                    return Fail(kind, out error, attributeType);
            }

            offset += StunConstants.AttributeHeaderLength + paddedLength;
        }

        if (skipped is not null)
            parsed.SkippedAttributes = skipped;
        message = parsed;
        error = default;
        return true;
    }

    private static bool IsAfterIntegrity(StunMessage parsed, ushort attributeType) =>
        parsed.MessageIntegritySha256Offset is not null
        || (parsed.MessageIntegrityOffset is not null && attributeType != StunAttributeType.MessageIntegritySha256);

    private static StunParseErrorKind ApplyAttribute(
        StunMessage parsed, ushort attributeType, ReadOnlySpan<byte> value, int offset, ref List<ushort>? skipped)
    {
        const StunParseErrorKind ok = StunParseErrorKind.None;
        const StunParseErrorKind invalid = StunParseErrorKind.InvalidAttribute;
        switch (attributeType)
        {
            case StunAttributeType.XorMappedAddress:
                if (!StunAddressCodec.TryRead(value, xor: true, parsed.TransactionId, out var xorMapped))
                    return invalid;
                parsed.XorMappedAddress ??= xorMapped;
                return ok;

            case StunAttributeType.MappedAddress:
                if (!StunAddressCodec.TryRead(value, xor: false, parsed.TransactionId, out var mapped))
                    return invalid;
                parsed.MappedAddress ??= mapped;
                return ok;

            case StunAttributeType.Software:
                if (value.Length > MaxTextLength)
                    return invalid;
                parsed.Software ??= s_utf8.GetString(value);
                return ok;

            case StunAttributeType.Username:
                if (value.Length > MaxUsernameLength)
                    return invalid;
                parsed.Username ??= s_utf8.GetString(value);
                return ok;

            case StunAttributeType.ErrorCode:
                return ApplyErrorCode(parsed, value);

            case StunAttributeType.UnknownAttributes:
                if ((value.Length & 1) != 0)
                    return invalid;
                if (parsed.UnknownAttributes is null)
                {
                    var types = new ushort[value.Length / 2];
                    for (int i = 0; i < types.Length; i++)
                        types[i] = BinaryPrimitives.ReadUInt16BigEndian(value[(2 * i)..]);
                    parsed.UnknownAttributes = types;
                }

                return ok;

            case StunAttributeType.MessageIntegrity:
                if (value.Length != MessageIntegrityLength)
                    return invalid;
                parsed.MessageIntegrityOffset = offset;
                return ok;

            case StunAttributeType.MessageIntegritySha256:
                // Truncation to 16..32 bytes in steps of 4 is allowed (RFC 8489 §14.6).
                if (value.Length < 16 || value.Length > 32 || (value.Length & 3) != 0)
                    return invalid;
                parsed.MessageIntegritySha256Offset = offset;
                return ok;

            case StunAttributeType.Priority:
                if (value.Length != 4)
                    return invalid;
                parsed.Priority ??= BinaryPrimitives.ReadUInt32BigEndian(value);
                return ok;

            case StunAttributeType.UseCandidate:
                if (value.Length != 0)
                    return invalid;
                parsed.UseCandidate = true;
                return ok;

            case StunAttributeType.IceControlled:
                if (value.Length != 8)
                    return invalid;
                parsed.IceControlled ??= BinaryPrimitives.ReadUInt64BigEndian(value);
                return ok;

            case StunAttributeType.IceControlling:
                if (value.Length != 8)
                    return invalid;
                parsed.IceControlling ??= BinaryPrimitives.ReadUInt64BigEndian(value);
                return ok;

            // Understood well enough to accept (they come with 401/438 responses), not needed here.
            case StunAttributeType.Realm:
            case StunAttributeType.Nonce:
            case StunAttributeType.PasswordAlgorithm:
            case StunAttributeType.UserHash:
                return ok;

            default:
                if (StunAttributeType.IsComprehensionRequired(attributeType))
                    return StunParseErrorKind.UnknownComprehensionRequiredAttribute;
                (skipped ??= []).Add(attributeType);
                return ok;
        }
    }

    private static StunParseErrorKind ApplyErrorCode(StunMessage parsed, ReadOnlySpan<byte> value)
    {
        if (value.Length < 4 || value.Length > 4 + MaxReasonLength)
            return StunParseErrorKind.InvalidAttribute;
        int errorClass = value[2] & 0x07;
        int number = value[3];
        if (errorClass < 3 || errorClass > 6 || number > 99)
            return StunParseErrorKind.InvalidAttribute;
        parsed.ErrorCode ??= new StunErrorCode(errorClass * 100 + number, s_utf8.GetString(value[4..]));
        return StunParseErrorKind.None;
    }

    private static bool Fail(StunParseErrorKind kind, out StunParseError error, ushort attributeType = 0)
    {
        error = new StunParseError(kind, attributeType);
        return false;
    }
}
