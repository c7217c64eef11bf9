namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>The TSIG algorithms this client implements (RFC 8945 §6 lists both as mandatory/recommended).</summary>
public enum TsigAlgorithm
{
    HmacSha256,
    HmacSha512,
}

public static class TsigAlgorithms
{
    private static readonly DnsName s_sha256 = DnsName.Parse("hmac-sha256.");
    private static readonly DnsName s_sha512 = DnsName.Parse("hmac-sha512.");

    /// <summary>The algorithm's DNS name as it appears in the TSIG RR.</summary>
    public static DnsName WireName(this TsigAlgorithm algorithm) => algorithm switch
    {
        TsigAlgorithm.HmacSha256 => s_sha256,
        TsigAlgorithm.HmacSha512 => s_sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Full MAC length in bytes (truncated MACs are not used).</summary>
    public static int MacLength(this TsigAlgorithm algorithm) => algorithm == TsigAlgorithm.HmacSha512 ? 64 : 32;

    /// <summary>The BIND spelling (hmac-sha256), as in key files.</summary>
    public static string Text(this TsigAlgorithm algorithm) => algorithm == TsigAlgorithm.HmacSha512 ? "hmac-sha512" : "hmac-sha256";

    /// <summary>Accepts the BIND spellings, case-insensitively, with or without a trailing dot.</summary>
    public static bool TryParse(string? text, out TsigAlgorithm algorithm)
    {
        switch (text?.TrimEnd('.').ToLowerInvariant())
        {
            case "hmac-sha256":
                algorithm = TsigAlgorithm.HmacSha256;
                return true;
            case "hmac-sha512":
                algorithm = TsigAlgorithm.HmacSha512;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }
}
