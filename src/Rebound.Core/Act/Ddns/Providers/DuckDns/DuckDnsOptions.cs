using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.DuckDns;

/// <summary>A DuckDNS account token. ToString never shows the token.</summary>
public sealed class DuckDnsOptions : DdnsHttpOptions
{
    public static readonly Uri DefaultBaseUri = new("https://www.duckdns.org/");

    public Uri BaseUri { get; init; } = DefaultBaseUri;

    public required string Token { get; init; }

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"duckdns {BaseUri} token {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        base.Validate();
    }
}
