using System.Text.RegularExpressions;

namespace Rebound.Act.Ddns.Providers.Custom;

/// <summary>The placeholders of a custom request's templates, and how they are filled in.</summary>
internal static partial class CustomTemplate
{
    public const string Name = "name";
    public const string Ip = "ip";
    public const string Ip6 = "ip6";
    public const string Secret = "secret";

    public static readonly IReadOnlyList<string> Known = [Name, Ip, Ip6, Secret];

    /// <summary>Every <c>{word}</c> of a template; other braces (a JSON body's) are text.</summary>
    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public static IEnumerable<string> Placeholders(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>The template with each placeholder replaced by <paramref name="value"/>(its name).</summary>
    public static string Fill(string template, Func<string, string> value) =>
        Placeholder().Replace(template, m => value(m.Groups[1].Value));

    /// <summary>Scheme and host of a URL template, for messages: its path and query may hold a token.</summary>
    public static string Where(string url)
    {
        var filled = Fill(url, _ => "x");
        return Uri.TryCreate(filled, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "(not a URL)";
    }
}
