using System.Text.RegularExpressions;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Custom;

/// <summary>
/// A request written by the admin: templates with <c>{name}</c>, <c>{ip}</c>, <c>{ip6}</c> and <c>{secret}</c>, and
/// what a successful answer looks like. ToString shows neither the secret nor the URL's path (it may hold a token).
/// </summary>
public sealed class CustomOptions : DdnsHttpOptions
{
    public required string Url { get; init; }

    /// <summary>GET, POST or PUT.</summary>
    public string Method { get; init; } = "GET";

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Sent with POST or PUT; null: no body.</summary>
    public string? Body { get; init; }

    public string? Secret { get; init; }

    /// <summary>Must match the answer's body (besides a 2xx); null: any 2xx is success.</summary>
    public Regex? Success { get; init; }

    internal override IReadOnlyList<string> Secrets => Secret is null ? [] : [Secret];

    public override string ToString() => $"custom {Method} {CustomTemplate.Where(Url)}";

    internal override void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Url);
        if (Method is not ("GET" or "POST" or "PUT"))
            throw new ArgumentException("GET, POST or PUT", nameof(Method));
        base.Validate();
    }
}
