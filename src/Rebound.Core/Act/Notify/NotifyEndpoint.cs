namespace Rebound.Act.Notify;

/// <summary>What an endpoint needs to send: the shared HTTP client and the clock.</summary>
public sealed record NotifyContext(HttpClient Http, TimeProvider Time);

/// <summary>
/// One parsed notification URL: where and how to deliver a <see cref="NotifyMessage"/>. Made by its service's
/// <see cref="NotifyServiceDefinition"/>; <see cref="Label"/> names it without any secret.
/// </summary>
public abstract class NotifyEndpoint
{
    /// <summary>The service's scheme, e.g. <c>ntfy</c>.</summary>
    public abstract string Service { get; }

    /// <summary>"ntfy (https://ntfy.example.net/…)": host at most, never a token, password, topic or chat.</summary>
    public abstract string Label { get; }

    /// <summary>Delivers the message, or throws <see cref="NotifyException"/> (cancellation passes through).</summary>
    public abstract Task SendAsync(NotifyMessage message, NotifyContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A notification URL's service: its scheme, the form shoutrrr documents, an example for the README and the sample,
/// and the parser into its endpoint. One per folder; listed in <see cref="NotifyServices.All"/>.
/// </summary>
public abstract class NotifyServiceDefinition
{
    public abstract string Scheme { get; }

    /// <summary>The URL form, e.g. <c>ntfy://[user:password@]host[:port]/topic[?priority=…&amp;tags=…]</c>.</summary>
    public abstract string Form { get; }

    /// <summary>A URL that parses (with made-up tokens).</summary>
    public abstract string Example { get; }

    /// <summary>The endpoint, or null with a problem (naming parts and parameters, never their values).</summary>
    public abstract NotifyEndpoint? Parse(NotifyUrl url, out string? problem);

    /// <summary>A problem for unknown query parameters, or null.</summary>
    protected static string? Unknown(NotifyUrl url, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(url);
        var unknown = url.UnknownParams(known);
        if (unknown.Count == 0)
            return null;
        var names = string.Join(", ", unknown.Select(n => n.Length <= 24 ? n : n[..21] + "..."));
        return known.Length == 0
            ? $"a {url.Scheme}:// URL without query parameters; found {names}"
            : $"{url.Scheme}:// parameters from {string.Join(", ", known)}; found {names}";
    }

    /// <summary>shoutrrr's booleans: yes/no, true/false, 1/0.</summary>
    protected static bool? YesNo(string? text) => text?.ToLowerInvariant() switch
    {
        null => null,
        "yes" or "true" or "1" => true,
        "no" or "false" or "0" => false,
        _ => null,
    };
}
