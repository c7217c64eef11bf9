namespace Rebound.Sense.Stun;

/// <summary>
/// Packs and unpacks the 14-bit message type, where the class bits are interleaved with the method bits:
/// <c>M11..M7 C1 M6..M4 C0 M3..M0</c> (RFC 8489 §5).
/// </summary>
public static class StunMessageType
{
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingIndication = 0x0011;
    public const ushort BindingSuccessResponse = 0x0101;
    public const ushort BindingErrorResponse = 0x0111;

    public static ushort Encode(StunMethod method, StunMessageClass messageClass)
    {
        int m = (ushort)method;
        int c = (int)messageClass;
        return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7));
    }

    public static StunMethod GetMethod(ushort messageType) =>
        (StunMethod)((messageType & 0x000F) | ((messageType & 0x00E0) >> 1) | ((messageType & 0x3E00) >> 2));

    public static StunMessageClass GetClass(ushort messageType) =>
        (StunMessageClass)(((messageType >> 4) & 0b01) | ((messageType >> 7) & 0b10));
}
