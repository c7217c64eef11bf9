using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rebound.Act.Ddns.Providers.Route53;

/// <summary>One request as AWS Signature Version 4 sees it.</summary>
/// <param name="Method">GET, POST, …</param>
/// <param name="Path">The absolute path as sent (already percent-encoded).</param>
/// <param name="Query">The query parameters, decoded; order does not matter.</param>
/// <param name="Headers">Every header to sign, Host included (names in any case).</param>
/// <param name="Body">The payload (empty for none).</param>
public sealed record SigV4Request(
    string Method,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[] Body);

/// <summary>The AWS credentials and scope a request is signed for.</summary>
public sealed record SigV4Scope(string AccessKeyId, string SecretAccessKey, string Region, string Service)
{
    public override string ToString() => $"{AccessKeyId} {Region}/{Service} secret {DdnsText.Redacted}";
}

/// <summary>
/// AWS Signature Version 4 as a pure function of the request, the credentials and the instant: canonical request,
/// string to sign, derived key, signature. Checked against AWS's published test suite (get-vanilla, …).
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The <c>X-Amz-Date</c> value of <paramref name="when"/>.</summary>
    public static string AmzDate(DateTimeOffset when) => when.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The <c>Authorization</c> header value. <paramref name="request"/> must already carry <c>X-Amz-Date</c> =
    /// <see cref="AmzDate"/>(<paramref name="when"/>) among its headers, as AWS checks both.
    /// </summary>
    public static string Authorization(SigV4Request request, SigV4Scope scope, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        var (canonical, signedHeaders) = CanonicalRequest(request);
        var date = when.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var credentialScope = $"{date}/{scope.Region}/{scope.Service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{AmzDate(when)}\n{credentialScope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + scope.SecretAccessKey), date);
        key = Hmac(key, scope.Region);
        key = Hmac(key, scope.Service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        return $"{Algorithm} Credential={scope.AccessKeyId}/{credentialScope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>The canonical request and the signed-headers list (exposed for tests against the suite's .creq files).</summary>
    public static (string Canonical, string SignedHeaders) CanonicalRequest(SigV4Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = string.Join("&", request.Query
            .Select(p => (Key: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));

        // Repeated headers join with commas in the order given; values are trimmed and inner runs of spaces collapsed.
        var headers = request.Headers
            .GroupBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(h => Collapse(h.Value)))))
            .ToList();
        var canonicalHeaders = string.Concat(headers.Select(h => $"{h.Name}:{h.Value}\n"));
        var signed = string.Join(";", headers.Select(h => h.Name));
        var path = request.Path.Length == 0 ? "/" : request.Path;
        var canonical = $"{request.Method}\n{path}\n{query}\n{canonicalHeaders}\n{signed}\n{Hex(SHA256.HashData(request.Body))}";
        return (canonical, signed);
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 wants.</summary>
    internal static string Encode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static string Collapse(string value) =>
        string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
