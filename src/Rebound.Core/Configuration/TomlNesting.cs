namespace Rebound.Configuration;

/// <summary>
/// One linear pass over TOML text that finds where arrays and inline tables nest too deep, skipping strings and
/// comments. Tomlyn throws past 64 levels instead of reporting a problem; this turns that into FILE:LINE.
/// </summary>
internal static class TomlNesting
{
    /// <summary>Far more than any configuration needs (the deepest key is three levels).</summary>
    public const int MaxDepth = 32;

    /// <summary>The 1-based line and column of the bracket that goes deeper than <paramref name="max"/>, or null.</summary>
    public static (int Line, int Column)? FirstTooDeep(string text, int max)
    {
        var depth = 0;
        var line = 1;
        var lineStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    lineStart = i + 1;
                    break;
                case '#':
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                        i++;
                    break;
                case '"' or '\'':
                    i = SkipString(text, i, ref line, ref lineStart);
                    break;
                case '[' or '{':
                    if (++depth > max)
                        return (line, i - lineStart + 1);
                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }

        return null;
    }

    /// <summary>The index of the string's last character (its closing quote, or the end of the text).</summary>
    private static int SkipString(string text, int start, ref int line, ref int lineStart)
    {
        var quote = text[start];
        var multi = start + 2 < text.Length && text[start + 1] == quote && text[start + 2] == quote;
        var i = start + (multi ? 3 : 1);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
                if (!multi)
                    return i - 1; // an unterminated string: the parser reports it
            }
            else if (c == '\\' && quote == '"')
            {
                i++;
                if (i < text.Length && text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }
            else if (c == quote && (!multi || (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)))
            {
                return multi ? i + 2 : i;
            }
        }

        return text.Length - 1;
    }
}
