using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// Reads the key clauses that BIND's tsig-keygen (and ddns-confgen) write:
/// <c>key "NAME" { algorithm hmac-sha256; secret "BASE64"; };</c>. Comments (#, //, /* */) are
/// skipped. Errors name the line and never quote the secret.
/// </summary>
public static class TsigKeyFile
{
    /// <summary>Parses every key in <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is malformed; the message names the line.</exception>
    public static IReadOnlyList<TsigKey> Parse(string text) =>
        TryParse(text, out var keys, out var error) ? keys : throw new FormatException(error);

    /// <summary>Reads a key file that holds exactly one key.</summary>
    /// <exception cref="FormatException">Malformed, or not exactly one key.</exception>
    public static TsigKey ParseSingle(string text)
    {
        var keys = Parse(text);
        return keys.Count == 1 ? keys[0] : throw new FormatException($"expected exactly one key clause, found {keys.Count}");
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out IReadOnlyList<TsigKey>? keys, out string error)
    {
        keys = null;
        if (text is null)
        {
            error = "no key file text";
            return false;
        }

        var tokens = new List<Token>();
        if (!Tokenize(text, tokens, out error))
            return false;

        var result = new List<TsigKey>();
        int i = 0;
        while (i < tokens.Count)
        {
            if (!TryParseKey(tokens, ref i, result, out error))
                return false;
        }

        if (result.Count == 0)
        {
            error = "no key clause found";
            return false;
        }

        keys = result;
        return true;
    }

    private static bool TryParseKey(List<Token> tokens, ref int i, List<TsigKey> keys, out string error)
    {
        var keyword = tokens[i];
        if (keyword.Quoted || keyword.Text != "key")
            return Fail(keyword.Line, $"expected 'key', found {Describe(keyword)}", out error);
        i++;
        if (i >= tokens.Count || tokens[i].IsPunctuation)
            return Fail(Line(tokens, i), "expected the key name after 'key'", out error);
        var nameToken = tokens[i++];
        if (!DnsName.TryParse(nameToken.Text, out var name))
            return Fail(nameToken.Line, $"{Describe(nameToken)} is not a valid key name", out error);
        if (!Expect(tokens, ref i, "{", out error))
            return false;

        TsigAlgorithm? algorithm = null;
        byte[]? secret = null;
        int keyLine = keyword.Line;
        while (true)
        {
            if (i >= tokens.Count)
                return Fail(Line(tokens, i), $"key '{name}' is not closed with '}};'", out error);
            var token = tokens[i++];
            if (!token.Quoted && token.Text == "}")
                break;
            if (token.Quoted || token.IsPunctuation)
                return Fail(token.Line, $"expected 'algorithm' or 'secret', found {Describe(token)}", out error);
            if (i >= tokens.Count || tokens[i].IsPunctuation)
                return Fail(token.Line, $"{Describe(token)} needs a value", out error);
            var value = tokens[i++];
            switch (token.Text)
            {
                case "algorithm":
                    if (!TsigAlgorithms.TryParse(value.Text, out var parsed))
                        return Fail(value.Line, $"unsupported algorithm {AlgorithmName(value)} (supported: hmac-sha256, hmac-sha512)", out error);
                    algorithm = parsed;
                    break;
                case "secret":
                    // Deliberately not quoted back in any error: it is the shared secret.
                    secret = new byte[value.Text.Length];
                    if (!Convert.TryFromBase64String(value.Text, secret, out int written) || written == 0)
                        return Fail(value.Line, "secret is not valid base64", out error);
                    secret = secret[..written];
                    break;
                default:
                    return Fail(token.Line, $"unknown statement {Describe(token)} in key '{name}'", out error);
            }

            if (!Expect(tokens, ref i, ";", out error))
                return false;
        }

        if (!Expect(tokens, ref i, ";", out error))
            return false;
        if (algorithm is null)
            return Fail(keyLine, $"key '{name}' has no algorithm", out error);
        if (secret is null)
            return Fail(keyLine, $"key '{name}' has no secret", out error);
        keys.Add(new TsigKey(name, algorithm.Value, secret));
        error = "";
        return true;
    }

    private static bool Expect(List<Token> tokens, ref int i, string punctuation, out string error)
    {
        if (i < tokens.Count && !tokens[i].Quoted && tokens[i].Text == punctuation)
        {
            i++;
            error = "";
            return true;
        }

        return Fail(Line(tokens, i), $"expected '{punctuation}'{(i < tokens.Count ? $", found {Describe(tokens[i])}" : " before the end of the file")}", out error);
    }

    // Quoted strings are described without their content, which might be the secret.
    // Long words are not echoed either, in case someone wrote the secret without quotes.
    /// <summary>An algorithm's name is quoted only when it looks like one (hmac-md5): a secret pasted there must not be printed.</summary>
    private static string AlgorithmName(Token token) =>
        !token.Quoted && token.Text.Length <= 16 && token.Text.StartsWith("hmac-", StringComparison.OrdinalIgnoreCase)
            && token.Text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? $"'{token.Text}'"
            : $"(a value of {token.Text.Length} characters, not shown)";

    private static string Describe(Token token) =>
        token.Quoted ? "a quoted string" : token.Text.Length > 20 ? "a long word" : $"'{token.Text}'";

    private static int Line(List<Token> tokens, int i) => i < tokens.Count ? tokens[i].Line : tokens.Count > 0 ? tokens[^1].Line : 1;

    private static bool Tokenize(string text, List<Token> tokens, out string error)
    {
        int line = 1;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                    i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int startLine = line;
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    return Fail(startLine, "comment '/*' is never closed", out error);
                for (int j = i; j < end; j++)
                {
                    if (text[j] == '\n')
                        line++;
                }

                i = end + 2;
            }
            else if (c is '{' or '}' or ';')
            {
                tokens.Add(new Token(c.ToString(), line, Quoted: false));
                i++;
            }
            else if (c == '"')
            {
                int end = text.IndexOf('"', i + 1);
                if (end < 0 || text.AsSpan(i + 1, end - i - 1).Contains('\n'))
                    return Fail(line, "quoted string is not closed on the same line", out error);
                tokens.Add(new Token(text[(i + 1)..end], line, Quoted: true));
                i = end + 1;
            }
            else
            {
                var word = new StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';' or '"'))
                    word.Append(text[i++]);
                tokens.Add(new Token(word.ToString(), line, Quoted: false));
            }
        }

        error = "";
        return true;
    }

    private static bool Fail(int line, string message, out string error)
    {
        error = $"key file line {line}: {message}";
        return false;
    }

    private readonly record struct Token(string Text, int Line, bool Quoted)
    {
        public bool IsPunctuation => !Quoted && Text is "{" or "}" or ";";
    }
}
