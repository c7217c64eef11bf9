using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Rebound.Sense.Stun;

/// <summary>
/// Appends attributes to a STUN message in a caller-supplied buffer, keeping the header length
/// current. Padding is zeros. Throws <see cref="ArgumentException"/> when the buffer is too small.
/// </summary>
public ref struct StunMessageBuilder
{
    private readonly Span<byte> _buffer;
    private readonly StunTransactionId _transactionId;
    private int _length;

    public StunMessageBuilder(Span<byte> buffer, ushort messageType, StunTransactionId transactionId)
    {
        if (buffer.Length < StunConstants.HeaderLength)
            throw new ArgumentException("buffer too small for a STUN header", nameof(buffer));
        _buffer = buffer;
        _transactionId = transactionId;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, messageType);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], StunConstants.MagicCookie);
        transactionId.WriteTo(buffer[8..]);
        _length = StunConstants.HeaderLength;
    }

    /// <summary>Bytes written so far, header included.</summary>
    public readonly int Length => _length;

    public void AddAttribute(ushort attributeType, ReadOnlySpan<byte> value)
    {
        var destination = Reserve(attributeType, value.Length);
        value.CopyTo(destination);
    }

    public void AddText(ushort attributeType, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var destination = Reserve(attributeType, Encoding.UTF8.GetByteCount(text));
        Encoding.UTF8.GetBytes(text, destination);
    }

    /// <summary>Adds an address attribute; XOR-MAPPED-ADDRESS is obfuscated, anything else written plainly.</summary>
    public void AddAddress(ushort attributeType, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var destination = Reserve(attributeType, StunAddressCodec.ValueLength(endPoint));
        StunAddressCodec.Write(destination, endPoint, attributeType == StunAttributeType.XorMappedAddress, _transactionId);
    }

    public void AddErrorCode(int code, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 699);
        ArgumentNullException.ThrowIfNull(reason);
        var destination = Reserve(StunAttributeType.ErrorCode, 4 + Encoding.UTF8.GetByteCount(reason));
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = (byte)(code / 100);
        destination[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, destination[4..]);
    }

    /// <summary>HMAC-SHA1 over the message so far, with the length already counting this attribute (RFC 8489 §14.5).</summary>
    [SuppressMessage("Security", "CA5350", Justification = "MESSAGE-INTEGRITY is defined as HMAC-SHA1 by RFC 8489; interop needs it.")]
    public void AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int start = _length;
        var destination = Reserve(StunAttributeType.MessageIntegrity, HMACSHA1.HashSizeInBytes);
        HMACSHA1.HashData(key, _buffer[..start], destination);
    }

    /// <summary>Must be the last attribute.</summary>
    public void AddFingerprint()
    {
        int start = _length;
        var destination = Reserve(StunAttributeType.Fingerprint, 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination, StunCrc32.Fingerprint(_buffer[..start]));
    }

    // Writes the attribute header, zero padding and the new header length; returns the value's span.
    private Span<byte> Reserve(ushort attributeType, int valueLength)
    {
        int paddedLength = (valueLength + 3) & ~3;
        int newLength = _length + StunConstants.AttributeHeaderLength + paddedLength;
        if (valueLength > ushort.MaxValue || newLength > _buffer.Length || newLength - StunConstants.HeaderLength > ushort.MaxValue)
            throw new ArgumentException("STUN message does not fit in the buffer");

        var attribute = _buffer[_length..newLength];
        BinaryPrimitives.WriteUInt16BigEndian(attribute, attributeType);
        BinaryPrimitives.WriteUInt16BigEndian(attribute[2..], (ushort)valueLength);
        attribute[(StunConstants.AttributeHeaderLength + valueLength)..].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(newLength - StunConstants.HeaderLength));
        _length = newLength;
        return attribute.Slice(StunConstants.AttributeHeaderLength, valueLength);
    }
}
