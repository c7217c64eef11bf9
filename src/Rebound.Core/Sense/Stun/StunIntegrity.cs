using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Rebound.Sense.Stun;

/// <summary>
/// Checks MESSAGE-INTEGRITY (HMAC-SHA1) and MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.5, §14.6). The MAC
/// covers the message up to the attribute, with the header length rewritten to end just after it,
/// so any later FINGERPRINT is excluded.
/// </summary>
public static class StunIntegrity
{
    /// <summary>
    /// The short-term credential key: the password's UTF-8 bytes. The OpaqueString (RFC 8265)
    /// normalisation RFC 8489 asks for is not applied; ASCII passwords are unaffected.
    /// </summary>
    public static byte[] ShortTermKey(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Encoding.UTF8.GetBytes(password);
    }

    /// <summary>False when the message has no MESSAGE-INTEGRITY or it does not match. Never throws for bad input.</summary>
    public static bool VerifyMessageIntegrity(ReadOnlySpan<byte> datagram, StunMessage message, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.MessageIntegrityOffset is int offset
            && Verify(datagram, offset, HashAlgorithmName.SHA1, key);
    }

    /// <summary>As <see cref="VerifyMessageIntegrity"/>, for MESSAGE-INTEGRITY-SHA256 (possibly truncated).</summary>
    public static bool VerifyMessageIntegritySha256(ReadOnlySpan<byte> datagram, StunMessage message, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.MessageIntegritySha256Offset is int offset
            && Verify(datagram, offset, HashAlgorithmName.SHA256, key);
    }

    private static bool Verify(ReadOnlySpan<byte> datagram, int offset, HashAlgorithmName algorithm, ReadOnlySpan<byte> key)
    {
        if (offset < StunConstants.HeaderLength || datagram.Length - offset < StunConstants.AttributeHeaderLength)
            return false;
        int macLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
        int attributeEnd = offset + StunConstants.AttributeHeaderLength + macLength;
        if (macLength == 0 || attributeEnd > datagram.Length)
            return false;

        Span<byte> header = stackalloc byte[StunConstants.HeaderLength];
        datagram[..StunConstants.HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(attributeEnd - StunConstants.HeaderLength));

        using var hmac = IncrementalHash.CreateHMAC(algorithm, key);
        hmac.AppendData(header);
        hmac.AppendData(datagram[StunConstants.HeaderLength..offset]);
        Span<byte> mac = stackalloc byte[64];
        int written = hmac.GetHashAndReset(mac);
        if (macLength > written)
            return false;
        return CryptographicOperations.FixedTimeEquals(mac[..macLength], datagram.Slice(offset + StunConstants.AttributeHeaderLength, macLength));
    }
}
