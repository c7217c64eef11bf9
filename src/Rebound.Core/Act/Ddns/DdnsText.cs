using System.Text;

namespace Rebound.Act.Ddns;

/// <summary>
/// Turns text we did not write (provider bodies, exception messages) into something safe for a one-line
/// message: secrets redacted, control characters flattened, length capped.
/// </summary>
internal static class DdnsText
{
    public const string Redacted = "***";

    public static string Sanitise(string? raw, IReadOnlyList<string> secrets, int maxLength = 120)
    {
        if (string.IsNullOrEmpty(raw))
            return "";
        var text = Redact(raw, secrets);
        var builder = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        bool lastWasSpace = false;
        foreach (char c in text)
        {
            // Collapse whitespace and replace anything unprintable so a hostile body cannot forge log lines.
            bool space = char.IsWhiteSpace(c) || char.IsControl(c);
            if (space)
            {
                if (!lastWasSpace && builder.Length > 0)
                    builder.Append(' ');
                lastWasSpace = true;
                continue;
            }
            lastWasSpace = false;
            builder.Append(char.IsSurrogate(c) || c > '\u007e' ? '?' : c);
            if (builder.Length > maxLength)
                break;
        }
        var result = builder.ToString().TrimEnd();
        // Redact again: a secret that itself holds whitespace or odd characters could match only after
        // flattening. Truncation happens last, so no fragment of an unredacted secret can survive it.
        result = Redact(result, secrets);
        return result.Length > maxLength ? string.Concat(result.AsSpan(0, maxLength), "...") : result;
    }

    /// <summary>Removes every secret, raw and in its URL-escaped form.</summary>
    public static string Redact(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret))
                continue;
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
            var escaped = Uri.EscapeDataString(secret);
            if (escaped != secret)
                text = text.Replace(escaped, Redacted, StringComparison.OrdinalIgnoreCase);
        }
        return text;
    }

    /// <summary>A wait for a message, in the one duration format (rounded up to whole seconds).</summary>
    public static string Duration(TimeSpan span) => Configuration.ConfigDuration.Format(span, roundUpToSeconds: true);
}
