using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.DigitalOcean;

/// <summary>A DigitalOcean domain and an API token. ToString never shows the token.</summary>
public sealed class DigitalOceanOptions : DdnsApiOptions
{
    /// <summary>The TTL of a record it creates.</summary>
    public const int DefaultTtl = 300;

    public required string Token { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://api.digitalocean.com/");

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"digitalocean {Api} domain {Domain} token {DdnsText.Redacted}";
}
