using System.Globalization;

namespace Rebound.Act.Notify;

/// <summary>
/// A notification URL split the way shoutrrr's forms read: <c>scheme://[user[:password]@]host[:port][/path][?query]</c>.
/// Split by hand, not by <see cref="Uri"/>: hosts keep their case (a Slack token there is case-sensitive) and a
/// scheme like <c>telegram</c> needs no registered parser. The text is a secret; nothing here quotes it back.
/// </summary>
public sealed record NotifyUrl(
    string Scheme,
    string? User,
    string? Password,
    string Host,
    int? Port,
    IReadOnlyList<string> Path,
    IReadOnlyList<KeyValuePair<string, string>> Query)
{
    /// <summary>The URL, or null with what is wrong in <paramref name="problem"/> (never quoting the URL).</summary>
    public static NotifyUrl? Parse(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        text = text.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            problem = "a URL like ntfy://ntfy.sh/topic (no scheme:// found)";
            return null;
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        var rest = text[(schemeEnd + 3)..];
        var query = new List<KeyValuePair<string, string>>();
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            foreach (var pair in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = Decode(eq < 0 ? pair : pair[..eq]);
                query.Add(new(key, eq < 0 ? "" : Decode(pair[(eq + 1)..])));
            }

            rest = rest[..q];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? [] : rest[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Decode).ToList();

        string? user = null, password = null;
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var info = authority[..at];
            authority = authority[(at + 1)..];
            var colon = info.IndexOf(':', StringComparison.Ordinal);
            user = Decode(colon < 0 ? info : info[..colon]);
            password = colon < 0 ? null : Decode(info[(colon + 1)..]);
        }

        string host = authority;
        int? port = null;
        var portColon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (portColon > 0)
        {
            if (!int.TryParse(authority[(portColon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                problem = $"a {scheme}:// URL whose port is a number from 1 to 65535";
                return null;
            }

            port = p;
            host = authority[..portColon];
        }

        return new NotifyUrl(scheme, user, password, host, port, path, query);
    }

    /// <summary>The value of query parameter <paramref name="name"/> (case-insensitive, as shoutrrr reads them), or null.</summary>
    public string? Param(string name) =>
        Query.LastOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } found ? found.Value : null;

    /// <summary>The query parameters not in <paramref name="known"/>, for a problem naming them (names only, never values).</summary>
    public IReadOnlyList<string> UnknownParams(params string[] known) =>
        [.. Query.Select(p => p.Key).Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase)];

    private static string Decode(string part)
    {
        try
        {
            return Uri.UnescapeDataString(part.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return part;
        }
    }
}
