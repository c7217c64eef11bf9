namespace Rebound.Sense.Stun;

/// <summary>A parse failure; <see cref="AttributeType"/> names the offending attribute where there is one.</summary>
public readonly record struct StunParseError(StunParseErrorKind Kind, ushort AttributeType = 0)
{
    public override string ToString() => Kind switch
    {
        StunParseErrorKind.None => "no error",
        StunParseErrorKind.TooShort => "shorter than a STUN header",
        StunParseErrorKind.NotStun => "top two bits not zero: not STUN",
        StunParseErrorKind.LengthNotMultipleOfFour => "message length not a multiple of 4",
        StunParseErrorKind.LengthMismatch => "message length does not match the datagram",
        StunParseErrorKind.BadMagicCookie => "wrong magic cookie",
        StunParseErrorKind.TruncatedAttribute => $"attribute 0x{AttributeType:X4} runs past the end of the message",
        StunParseErrorKind.InvalidAttribute => $"attribute 0x{AttributeType:X4} has an invalid value",
        StunParseErrorKind.UnknownComprehensionRequiredAttribute => $"unknown comprehension-required attribute 0x{AttributeType:X4}",
        StunParseErrorKind.FingerprintNotLast => $"attribute 0x{AttributeType:X4} follows FINGERPRINT",
        StunParseErrorKind.FingerprintMismatch => "FINGERPRINT does not match",
        _ => Kind.ToString(),
    };
}
