using System.Text.RegularExpressions;
using Rebound.Configuration;
using Rebound.Decide;
using Tomlyn.Syntax;

namespace Rebound.Act.Ddns.Providers.Custom;

/// <summary>What a custom entry sends and what counts as success.</summary>
public sealed record CustomSettings(
    string Url, string Method, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body, Secret? Secret, string? Success);

/// <summary>
/// <c>provider = "custom"</c>: any HTTP update URL, written as templates (<c>{name}</c>, <c>{ip}</c>, <c>{ip6}</c>,
/// <c>{secret}</c>), for a service no other definition knows.
/// </summary>
public sealed class CustomDefinition : DdnsProviderDefinition<CustomSettings>
{
    private const string Methods = "GET, POST or PUT";

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public CustomDefinition()
        : base("custom", "Any HTTP update request, from templates with {name}, {ip} (A), {ip6} (AAAA) and {secret}")
    {
    }

    public StringKey Url { get; } = new("url", "The request's URL template; values are URL-encoded into it", "an http:// or https:// URL template")
    {
        Required = true,
        Example = ConfigKey.Toml("https://dyn.example.net/update?host={name}&ip={ip}"),
    };

    public StringKey Method { get; } = new("method", "The request's method", Methods)
    {
        Default = "GET",
        Example = ConfigKey.Toml("POST"),
    };

    public CustomKey Headers { get; } = new("headers", "Headers to send, each a template (values inserted as they are)", "a table of header names and value templates")
    {
        Example = "{ Authorization = \"Bearer {secret}\" }",
    };

    public StringKey Body { get; } = new("body", "The body template for POST or PUT (values inserted as they are)", "a body template")
    {
        Example = ConfigKey.Toml("name={name}&ip={ip}"),
    };

    public SecretKey Secret { get; } = new("secret", "What {secret} stands for; redacted from every message", "/etc/rebound/custom.secret");

    public StringKey Success { get; } = new("success", "A regular expression the answer's body must match (besides a 2xx); else any 2xx is success", "a regular expression")
    {
        Example = ConfigKey.Toml("^(good|nochg)"),
    };

    public override IReadOnlyList<ConfigKey> Keys => [Url, Method, Headers, Body, Secret, Success];

    internal static CustomOptions Options(CustomSettings settings) => new()
    {
        Url = settings.Url,
        Method = settings.Method,
        Headers = settings.Headers,
        Body = settings.Body,
        Secret = settings.Secret?.Reveal(),
        Success = settings.Success is null ? null : new Regex(settings.Success, RegexOptions.CultureInvariant, MatchTimeout),
    };

    internal override CustomSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        int before = s.ProblemCount;
        var url = Url.Read(s);
        var method = Method.Read(s) ?? "GET";
        if (method is not ("GET" or "POST" or "PUT"))
            s.Problem(Method.Name, $"{Methods}, found {ConfigReader.Clip(method)}");
        var headers = ReadHeaders(s);
        var body = Body.Read(s);
        if (body is not null && method == "GET")
            s.Problem(Body.Name, "no body with method GET (set method = \"POST\" or \"PUT\")");
        var secret = Secret.Read(s);
        var success = Success.Read(s);
        if (success is not null && !IsRegex(success))
            s.Problem(Success.Name, $"a regular expression, found {ConfigReader.Clip(success)}");

        if (url is not null)
            CheckUrl(s, url);
        var templates = new List<(string Key, string Text)>();
        if (url is not null)
            templates.Add((Url.Name, url));
        templates.AddRange(headers.Select(h => (Headers.Name, h.Value)));
        if (body is not null)
            templates.Add((Body.Name, body));
        CheckPlaceholders(s, templates, secret is not null, entry.Families ?? [IpFamily.Ipv4]);

        return s.ProblemCount > before || url is null ? null : new CustomSettings(url, method, headers, body, secret, success);
    }

    /// <summary>A URL once filled in, checked without quoting it: it may hold a token.</summary>
    private void CheckUrl(ConfigSection s, string url)
    {
        var sample = CustomTemplate.Fill(url, _ => "x");
        if (!Uri.TryCreate(sample, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0)
            s.Problem(Url.Name, "an http:// or https:// URL template");
        else if (!string.IsNullOrEmpty(uri.UserInfo))
            s.Problem(Url.Name, "a URL template without user:password@ (put the password in secret and use {secret})");
        else if (uri.Scheme == Uri.UriSchemeHttp)
            s.Warn(Url.Name, "is plain http://; what it carries travels unencrypted");
    }

    private List<KeyValuePair<string, string>> ReadHeaders(ConfigSection s)
    {
        var table = s.SubTable(Headers.Name);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (header, node) in table?.Items ?? [])
        {
            if (node is not TomlValueNode { Syntax: StringValueSyntax { Value: { } value } })
                s.Problem(node, $"{Headers.Name}.{header}", $"a string, found {node.Describe()}");
            else if (header.Length == 0 || !header.All(c => c is > ' ' and < '\u007f' and not (':' or '(' or ')' or ',' or '/' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"')))
                s.Problem(node, Headers.Name, $"header names (letters, digits, -), found {ConfigReader.Clip(header)}");
            else if (value.Any(char.IsControl))
                s.Problem(node, $"{Headers.Name}.{header}", "a value on one line");
            else
                headers.Add(new(header, value));
        }
        return headers;
    }

    private static void CheckPlaceholders(ConfigSection s, List<(string Key, string Text)> templates, bool hasSecret, IReadOnlyList<IpFamily> families)
    {
        var used = new HashSet<string>();
        foreach (var (key, text) in templates)
        {
            foreach (var placeholder in CustomTemplate.Placeholders(text))
            {
                if (!CustomTemplate.Known.Contains(placeholder))
                    s.Problem(key, $"placeholders {string.Join(", ", CustomTemplate.Known.Select(k => "{" + k + "}"))}; {{{placeholder[..Math.Min(placeholder.Length, 40)]}}} is unknown");
                used.Add(placeholder);
            }
        }
        if (used.Contains(CustomTemplate.Secret) && !hasSecret)
            s.Problem("secret", "one of secret, secret_file or secret_env (a template uses {secret})");
        if (families.Contains(IpFamily.Ipv4) && !used.Contains(CustomTemplate.Ip))
            s.Problem("url", "a template that uses {ip} (families has ipv4)");
        if (families.Contains(IpFamily.Ipv6) && !used.Contains(CustomTemplate.Ip6))
            s.Problem("url", "a template that uses {ip6} (families has ipv6)");
    }

    private static bool IsRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal override string Identity(CustomSettings settings) =>
        Hash(string.Join("\n", [settings.Method, settings.Url, .. settings.Headers.Select(h => $"{h.Key}: {h.Value}"), settings.Body ?? "", settings.Secret?.Reveal() ?? ""]));

    internal override string Describe(CustomSettings settings) =>
        $"{settings.Method} {CustomTemplate.Where(settings.Url)}" + (settings.Secret is { } secret ? $", secret from {secret.Source}" : "");

    internal override Task<DdnsProviderParts> CreateAsync(CustomSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        Task.FromResult(Http(new CustomProvider(Options(settings), timeProvider: time)));
}
