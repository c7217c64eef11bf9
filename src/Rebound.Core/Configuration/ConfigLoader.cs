using System.Text.RegularExpressions;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>
/// Reads the TOML configuration file into <see cref="ReboundConfig"/>, or lists every problem with file:line,
/// key and what was expected. Secret files and environment variables are read here, so a config that
/// passes is one <c>run</c> can start with. No message ever contains a secret.
/// </summary>
public static partial class ConfigLoader
{
    /// <summary>Reads and checks <paramref name="path"/>. Relative <c>*_file</c> paths are relative to its directory.</summary>
    /// <param name="environmentElsewhere">
    /// True for a check outside the agent (check-config, status --config): an unset <c>*_env</c> variable is a warning,
    /// not a problem, because the service's Environment= sets it for the agent only.
    /// </param>
    public static ConfigResult Load(string path, Func<string, string?>? environment = null, bool environmentElsewhere = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        UnixFileMode? mode = null;
        try
        {
            if (Directory.Exists(path))
            {
                return new ConfigResult(null, [new ConfigProblem(path, 0, 0, "", "cannot read the configuration file: it is a directory; give the file in it, e.g. /etc/rebound/rebound.toml")], []);
            }

            text = BoundedFile.ReadText(path, BoundedFile.MaxConfigBytes);
            if (!OperatingSystem.IsWindows())
                mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            var why = ex switch
            {
                BoundedFileException bounded => $"it is {bounded.Message} (at most {BoundedFile.MaxConfigBytes / 1024} KiB, a regular file)",
                FileNotFoundException or DirectoryNotFoundException => "it does not exist",
                ArgumentException => "not a valid path",
                _ => $"it cannot be read ({ex.GetType().Name})",
            };
            return new ConfigResult(null, [new ConfigProblem(path, 0, 0, "", $"cannot read the configuration file: {why}")], []);
        }

        return Parse(text, path, environment, mode, environmentElsewhere);
    }

    /// <summary>
    /// Checks <paramref name="text"/> as if read from <paramref name="path"/> (used in messages and as the base of
    /// relative paths). <paramref name="environment"/> looks up <c>*_env</c> variables (default: the process
    /// environment); <paramref name="configFileMode"/>, when known, lets inline secrets in a readable file be warned about.
    /// </summary>
    public static ConfigResult Parse(string text, string path, Func<string, string?>? environment = null, UnixFileMode? configFileMode = null, bool environmentElsewhere = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        var context = new ConfigReader(path, environment ?? Environment.GetEnvironmentVariable, configFileMode, environmentElsewhere);
        if (text.Length > BoundedFile.MaxConfigBytes)
        {
            return new ConfigResult(null, [new ConfigProblem(path, 0, 0, "", $"the configuration is larger than {BoundedFile.MaxConfigBytes / 1024} KiB")], []);
        }

        // Tomlyn throws (it does not report) past 64 levels; no configuration needs more than a few.
        if (TomlNesting.FirstTooDeep(text, TomlNesting.MaxDepth) is { } deep)
        {
            return new ConfigResult(null, [new ConfigProblem(path, deep.Line, deep.Column, "", $"arrays and inline tables nested at most {TomlNesting.MaxDepth} deep")], []);
        }

        DocumentSyntax document;
        try
        {
            document = SyntaxParser.Parse(text, path, validate: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // Whatever else the parser throws on instead of reporting: a problem, never a crash (no text quoted: it may hold a secret).
            return new ConfigResult(null, [new ConfigProblem(path, 0, 0, "", $"TOML the parser cannot read ({ex.GetType().Name})")], []);
        }
        if (document.HasErrors)
        {
            // Only the first error: the parser's later ones follow from it (one missing `]` gives five), and each
            // names raw tokens. One line, where it is and what to do.
            var first = document.Diagnostics.First(d => d.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error);
            context.Problems.Add(new ConfigProblem(
                path, first.Span.Start.Line + 1, first.Span.Start.Column + 1, "",
                $"TOML syntax error: {Describe(first.Message)}; fix this line (a missing ], quote or = is the usual cause) and check again"));
            return new ConfigResult(null, context.Problems, []);
        }

        var config = context.Read(TomlTree.Build(document));
        return context.Problems.Count == 0
            ? new ConfigResult(config, [], context.Warnings)
            : new ConfigResult(null, [.. context.Problems.OrderBy(p => p.Line).ThenBy(p => p.Column)], context.Warnings);
    }

    /// <summary>The parser's message without token names and control characters, secrets replaced.</summary>
    internal static string Describe(string message)
    {
        var text = TokenName().Replace(message, "");
        text = text.Replace("`\u2424`", "end of line").Replace("`\n`", "end of line").Replace("`\r\n`", "end of line");
        text = new string([.. text.Select(c => char.IsControl(c) || c == '\u2424' ? ' ' : c)]);
        text = Spaces().Replace(Sanitize(text), " ").Trim().TrimEnd('.');
        return text.Length == 0 ? "the file is not valid TOML" : text;
    }

    [GeneratedRegex(@"\s*\(token: [^)]*\)")]
    private static partial Regex TokenName();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    // Parser messages quote the offending text in backticks; on a line like `token = abc123` that text is the
    // secret. Keep punctuation and known key names, replace anything else.
    private static string Sanitize(string message) => QuotedText().Replace(message, match =>
    {
        var inner = match.Groups[1].Value;
        var punctuation = inner.Length == 1 && !char.IsLetterOrDigit(inner[0]);
        return punctuation || inner.Length == 0 || ConfigSchema.KnownWords.Contains(inner) ? match.Value : "`…`";
    });

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex QuotedText();
}
