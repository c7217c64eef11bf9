namespace Rebound.Act.WireGuard;

/// <summary>WireGuard public keys: 32 bytes, hex in UAPI, base64 everywhere people see them.</summary>
public static class WireGuardKeys
{
    public const int KeyLength = 32;

    /// <summary>64 hex digits to base64; false for anything else.</summary>
    public static bool TryHexToBase64(ReadOnlySpan<char> hex, out string base64)
    {
        base64 = "";
        Span<byte> key = stackalloc byte[KeyLength];
        if (hex.Length != KeyLength * 2 || Convert.FromHexString(hex, key, out _, out var written) != System.Buffers.OperationStatus.Done || written != KeyLength)
            return false;
        base64 = Convert.ToBase64String(key);
        return true;
    }

    /// <summary>A base64 key (44 characters) to UAPI's lower-case hex; false for anything else.</summary>
    public static bool TryBase64ToHex(string base64, out string hex)
    {
        hex = "";
        Span<byte> key = stackalloc byte[KeyLength];
        if (base64 is null || base64.Length != 44 || !Convert.TryFromBase64String(base64, key, out var written) || written != KeyLength)
            return false;
        hex = Convert.ToHexStringLower(key);
        return true;
    }

    public static bool IsValidBase64Key(string text) => TryBase64ToHex(text, out _);
}
