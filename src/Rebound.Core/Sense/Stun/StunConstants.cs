namespace Rebound.Sense.Stun;

/// <summary>Fixed numbers of the STUN wire format (RFC 8489 §5).</summary>
public static class StunConstants
{
    /// <summary>Distinguishes RFC 5389/8489 STUN from RFC 3489 and from other protocols on the same port.</summary>
    public const uint MagicCookie = 0x2112A442;

    public const int HeaderLength = 20;

    public const int TransactionIdLength = 12;

    public const int AttributeHeaderLength = 4;

    /// <summary>XORed into the CRC-32 so FINGERPRINT differs from CRCs other protocols carry (RFC 8489 §14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    /// <summary>Enough for any sane STUN datagram; UDP STUN should stay under the path MTU.</summary>
    public const int MaxDatagramLength = 1500;
}
