using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Gandi;

/// <summary>A Gandi LiveDNS domain and a personal access token. ToString never shows the token.</summary>
public sealed class GandiOptions : DdnsApiOptions
{
    /// <summary>LiveDNS's smallest TTL, used for a record it creates.</summary>
    public const int DefaultTtl = 300;

    public required string Token { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://api.gandi.net/");

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"gandi {Api} domain {Domain} token {DdnsText.Redacted}";
}
