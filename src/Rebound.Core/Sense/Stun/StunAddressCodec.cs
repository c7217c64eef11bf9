using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Rebound.Sense.Stun;

/// <summary>(XOR-)MAPPED-ADDRESS values: reserved byte, family, port, address (RFC 8489 §14.1, §14.2).</summary>
internal static class StunAddressCodec
{
    private const byte FamilyIPv4 = 0x01;
    private const byte FamilyIPv6 = 0x02;
    private const int IPv4ValueLength = 8;
    private const int IPv6ValueLength = 20;

    /// <summary>Never throws: a malformed value just returns false.</summary>
    public static bool TryRead(ReadOnlySpan<byte> value, bool xor, StunTransactionId transactionId, out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (value.Length < 4)
            return false;

        int port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        int addressLength = value[1] switch
        {
            FamilyIPv4 when value.Length == IPv4ValueLength => 4,
            FamilyIPv6 when value.Length == IPv6ValueLength => 16,
            _ => 0,
        };
        if (addressLength == 0)
            return false;

        Span<byte> address = stackalloc byte[addressLength];
        value.Slice(4, addressLength).CopyTo(address);
        if (xor)
        {
            port ^= (int)(StunConstants.MagicCookie >> 16);
            Span<byte> mask = stackalloc byte[16];
            WriteXorMask(mask, transactionId);
            for (int i = 0; i < address.Length; i++)
                address[i] ^= mask[i];
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }

    public static int ValueLength(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6ValueLength : IPv4ValueLength;

    /// <summary>Writes the value (without attribute header) and returns its length.</summary>
    public static int Write(Span<byte> destination, IPEndPoint endPoint, bool xor, StunTransactionId transactionId)
    {
        int length = ValueLength(endPoint);
        var value = destination[..length];
        value[0] = 0;
        value[1] = length == IPv6ValueLength ? FamilyIPv6 : FamilyIPv4;
        int port = endPoint.Port;
        if (xor)
            port ^= (int)(StunConstants.MagicCookie >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(value[2..], (ushort)port);

        var address = value[4..];
        if (!endPoint.Address.TryWriteBytes(address, out _))
            throw new ArgumentException("address does not fit", nameof(endPoint));
        if (xor)
        {
            Span<byte> mask = stackalloc byte[16];
            WriteXorMask(mask, transactionId);
            for (int i = 0; i < address.Length; i++)
                address[i] ^= mask[i];
        }

        return length;
    }

    // IPv4 is XORed with the cookie; IPv6 with the cookie followed by the transaction ID.
    private static void WriteXorMask(Span<byte> mask, StunTransactionId transactionId)
    {
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunConstants.MagicCookie);
        transactionId.WriteTo(mask[4..]);
    }
}
