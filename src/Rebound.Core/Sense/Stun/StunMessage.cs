using System.Net;

namespace Rebound.Sense.Stun;

/// <summary>A parsed STUN message: the header plus the attributes this agent understands.</summary>
/// <remarks>Where an attribute repeats, the first occurrence wins (RFC 8489 §14).</remarks>
public sealed class StunMessage
{
    internal StunMessage(ushort messageType, StunTransactionId transactionId, int length)
    {
        MessageType = messageType;
        TransactionId = transactionId;
        Length = length;
    }

    /// <summary>The raw 14-bit type, e.g. <see cref="StunMessageType.BindingSuccessResponse"/>.</summary>
    public ushort MessageType { get; }

    public StunMessageClass Class => StunMessageType.GetClass(MessageType);

    public StunMethod Method => StunMessageType.GetMethod(MessageType);

    public StunTransactionId TransactionId { get; }

    /// <summary>Total bytes, header included.</summary>
    public int Length { get; }

    public IPEndPoint? XorMappedAddress { get; internal set; }

    /// <summary>Plain MAPPED-ADDRESS, still sent by RFC 3489-era servers.</summary>
    public IPEndPoint? MappedAddress { get; internal set; }

    /// <summary>The reflexive address to believe: XOR-MAPPED-ADDRESS, falling back to MAPPED-ADDRESS.</summary>
    public IPEndPoint? ReflexiveAddress => XorMappedAddress ?? MappedAddress;

    public string? Software { get; internal set; }

    public string? Username { get; internal set; }

    public StunErrorCode? ErrorCode { get; internal set; }

    /// <summary>The types listed in an UNKNOWN-ATTRIBUTES attribute (sent with error 420).</summary>
    public IReadOnlyList<ushort>? UnknownAttributes { get; internal set; }

    public uint? Priority { get; internal set; }

    public bool UseCandidate { get; internal set; }

    public ulong? IceControlled { get; internal set; }

    public ulong? IceControlling { get; internal set; }

    /// <summary>True when a FINGERPRINT was present; the parser has verified it by then.</summary>
    public bool HasFingerprint { get; internal set; }

    /// <summary>Offset of the MESSAGE-INTEGRITY attribute header, for <see cref="StunIntegrity"/>.</summary>
    public int? MessageIntegrityOffset { get; internal set; }

    /// <summary>Offset of the MESSAGE-INTEGRITY-SHA256 attribute header, for <see cref="StunIntegrity"/>.</summary>
    public int? MessageIntegritySha256Offset { get; internal set; }

    /// <summary>Comprehension-optional attributes that were skipped because they are not known here.</summary>
    public IReadOnlyList<ushort> SkippedAttributes { get; internal set; } = [];
}
