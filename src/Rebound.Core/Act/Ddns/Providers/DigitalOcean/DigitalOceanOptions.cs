using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.DigitalOcean;

/// <summary>A DigitalOcean domain and an API token. ToString never shows the token.</summary>
public sealed class DigitalOceanOptions : DdnsTokenApiOptions
{
    /// <summary>The TTL of a record it creates.</summary>
    public const int DefaultTtl = 300;

    internal override Uri DefaultBaseUri { get; } = new("https://api.digitalocean.com/");

    private protected override string Provider => "digitalocean";
}
