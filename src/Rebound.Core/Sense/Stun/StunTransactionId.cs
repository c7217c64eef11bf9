using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Rebound.Sense.Stun;

/// <summary>The 96-bit transaction ID that ties a response to its request.</summary>
public readonly record struct StunTransactionId
{
    // 96 bits as 64 + 32, big-endian halves, so equality and hashing are cheap and allocation-free.
    private readonly ulong _high;
    private readonly uint _low;

    private StunTransactionId(ulong high, uint low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>A cryptographically random ID, so an off-path attacker cannot guess it (RFC 8489 §6).</summary>
    public static StunTransactionId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[StunConstants.TransactionIdLength];
        RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    /// <summary>Reads 12 bytes; throws if <paramref name="source"/> is shorter.</summary>
    public static StunTransactionId Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(source), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));

    /// <summary>Writes 12 bytes; throws if <paramref name="destination"/> is shorter.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _low);
    }

    public override string ToString() => $"{_high:x16}{_low:x8}";
}
