using System.Text;

namespace Rebound.Cli.Serve;

/// <summary>
/// The request line and the one header the server uses (Host), parsed from the bytes before the
/// blank line. A pure function over a span: malformed input gives a status code, never an exception.
/// </summary>
internal sealed record HttpRequestHead(string Method, string Path, string Query, string Version, string? Host)
{
    /// <summary>Upper bound for the request line and headers together.</summary>
    public const int DefaultMaxBytes = 8 * 1024;

    /// <summary>
    /// Parses <paramref name="head"/> (request line and header lines separated by CRLF, without the final
    /// empty line). Returns null and sets <paramref name="status"/> to 400 (malformed) or 505 (not HTTP/1.x).
    /// </summary>
    public static HttpRequestHead? Parse(ReadOnlySpan<byte> head, out int status)
    {
        status = 400;
        foreach (var b in head)
        {
            // Request lines and the header names we read are ASCII; anything else (and NUL, bare CR) is not a request we serve.
            if (b is 0 or > 0x7e || (b < 0x20 && b is not (byte)'\r' and not (byte)'\n' and not (byte)'\t'))
            {
                return null;
            }
        }

        var text = Encoding.ASCII.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || requestLine[1].Length == 0)
        {
            return null;
        }

        var (method, target, version) = (requestLine[0], requestLine[1], requestLine[2]);
        foreach (var c in method)
        {
            if (!char.IsAsciiLetterUpper(c))
            {
                return null;
            }
        }

        if (!version.StartsWith("HTTP/", StringComparison.Ordinal) || version.Length != 8 || !char.IsAsciiDigit(version[5]) || version[6] != '.' || !char.IsAsciiDigit(version[7]))
        {
            return null;
        }

        if (version[5] != '1')
        {
            status = 505;
            return null;
        }

        if (target[0] != '/')
        {
            // Origin form only: absolute-form is for proxies, asterisk-form for OPTIONS.
            return null;
        }

        string? host = null;
        for (int i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line.Contains('\r', StringComparison.Ordinal) || line.Contains('\n', StringComparison.Ordinal)
                || line[0] is ' ' or '\t' || char.IsWhiteSpace(line[colon - 1]))
            {
                // No colon, bare CR/LF, obsolete line folding, or space before the colon (RFC 9112 5.1): reject.
                return null;
            }

            if (line.AsSpan(0, colon).Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                if (host is not null)
                {
                    return null;
                }

                host = line[(colon + 1)..].Trim(' ', '\t');
            }
        }

        if (version == "HTTP/1.1" && host is null)
        {
            return null;
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];
        status = 0;
        return new HttpRequestHead(method, path, query, version, host);
    }

    /// <summary>The value of <paramref name="name"/> in the query string (first occurrence, not decoded), or null.</summary>
    public string? QueryValue(string name)
    {
        foreach (var pair in Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (key == name)
            {
                return eq < 0 ? "" : pair[(eq + 1)..];
            }
        }

        return null;
    }
}
