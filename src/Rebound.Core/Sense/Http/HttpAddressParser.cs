using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Rebound.Sense.Http;

/// <summary>
/// Reads the caller's address from an echo's body, in the formats the common services use: the address alone
/// (ipify, icanhazip, nginx <c>$remote_addr</c>), JSON with <c>ip</c> or <c>address</c>, or Cloudflare's
/// <c>/cdn-cgi/trace</c> key=value lines (<c>ip=</c>). Pure: no I/O.
/// </summary>
public static class HttpAddressParser
{
    public static bool TryParse(ReadOnlySpan<byte> body, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0)
        {
            error = "empty answer";
            return false;
        }

        if (text[0] == '{')
        {
            return TryJson(body, out address, out error);
        }

        if (IPAddress.TryParse(text, out var plain) && IsPlainAddress(text))
        {
            address = plain;
            error = null;
            return true;
        }

        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("ip=", StringComparison.Ordinal))
            {
                return TryAddress(trimmed[3..], out address, out error);
            }
        }

        error = $"the answer is not an address: '{Excerpt(text)}'";
        return false;
    }

    private static bool TryJson(ReadOnlySpan<byte> body, out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the JSON answer is not an object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAddress = reader.ValueTextEquals("ip"u8) || reader.ValueTextEquals("address"u8);
                if (!reader.Read())
                {
                    break;
                }

                if (isAddress && reader.TokenType == JsonTokenType.String)
                {
                    return TryAddress(reader.GetString() ?? "", out address, out error);
                }

                reader.Skip();
            }

            error = "the JSON answer has no \"ip\" or \"address\" string";
            return false;
        }
        catch (JsonException)
        {
            error = "the answer is not valid JSON";
            return false;
        }
    }

    private static bool TryAddress(string text, out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        text = text.Trim();
        if (IPAddress.TryParse(text, out address) && IsPlainAddress(text))
        {
            error = null;
            return true;
        }

        address = null;
        error = $"the answer is not an address: '{Excerpt(text)}'";
        return false;
    }

    /// <summary>IPAddress.TryParse also takes "1", "0x7f.1" and scope ids; an echo writes dotted quads or RFC 5952 text.</summary>
    private static bool IsPlainAddress(string text) =>
        text.Contains(':', StringComparison.Ordinal)
            ? !text.Contains('%', StringComparison.Ordinal) && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            : text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.');

    private static string Excerpt(string text)
    {
        var oneLine = new string([.. text.Take(40).Select(c => char.IsControl(c) ? ' ' : c)]);
        return text.Length > 40 ? oneLine + "…" : oneLine;
    }
}
