namespace Rebound.Sense.Stun;

/// <summary>Table-driven CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as FINGERPRINT needs.</summary>
internal static class StunCrc32
{
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>The FINGERPRINT value for a message whose bytes before the attribute are <paramref name="messagePrefix"/>.</summary>
    public static uint Fingerprint(ReadOnlySpan<byte> messagePrefix) => Compute(messagePrefix) ^ StunConstants.FingerprintXor;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }

        return table;
    }
}
