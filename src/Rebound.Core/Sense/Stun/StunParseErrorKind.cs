namespace Rebound.Sense.Stun;

/// <summary>Why a datagram is not an acceptable STUN message.</summary>
public enum StunParseErrorKind
{
    None = 0,
    TooShort,
    NotStun,
    LengthNotMultipleOfFour,
    LengthMismatch,
    BadMagicCookie,
    TruncatedAttribute,
    InvalidAttribute,
    UnknownComprehensionRequiredAttribute,
    FingerprintNotLast,
    FingerprintMismatch,
}
