namespace Rebound.Configuration;

/// <summary>
/// One <c>[[hook]]</c> entry: run <see cref="Command"/> (argv, no shell) or POST to <see cref="Url"/> for every event
/// whose kind is in <see cref="Events"/> (names from <see cref="Record.EventCatalogue"/>; <c>*</c>: all). Exactly one of
/// <see cref="Command"/> and <see cref="Url"/> is set.
/// </summary>
public sealed record HookConfig(int Index, int Line, IReadOnlyList<string> Events, IReadOnlyList<string>? Command, Uri? Url, TimeSpan Timeout)
{
    public const string AllEvents = "*";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public bool Wants(string kind) => Events.Contains(AllEvents) || Events.Contains(kind);

    /// <summary>"hook[0] (/usr/local/bin/notify)" or "hook[1] (https://example.net/…)": never the URL's credentials or query.</summary>
    public string Label => $"hook[{Index}] ({(Command is { Count: > 0 } c ? c[0] : Url is { } u ? SafeUrl(u) : "?")})";

    /// <summary>
    /// Scheme, host and port only: user info and query may hold a token, and so may the path (Slack, Discord
    /// and Teams webhook URLs carry theirs there).
    /// </summary>
    public static string SafeUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = $"{url.Scheme}://{url.Host}{(url.IsDefaultPort ? "" : $":{url.Port}")}";
        return url.AbsolutePath is "/" or "" && url.Query.Length == 0 ? text + "/" : text + "/…";
    }
}
