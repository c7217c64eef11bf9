using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Gandi;

/// <summary>A Gandi LiveDNS domain and a personal access token. ToString never shows the token.</summary>
public sealed class GandiOptions : DdnsTokenApiOptions
{
    /// <summary>LiveDNS's smallest TTL, used for a record it creates.</summary>
    public const int DefaultTtl = 300;

    internal override Uri DefaultBaseUri { get; } = new("https://api.gandi.net/");

    private protected override string Provider => "gandi";
}
