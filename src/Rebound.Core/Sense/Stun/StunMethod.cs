namespace Rebound.Sense.Stun;

/// <summary>The 12-bit STUN method. Only Binding is used here; other values pass through unnamed.</summary>
public enum StunMethod : ushort
{
    Binding = 0x001,
}
