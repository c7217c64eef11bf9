using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.GoDaddy;

/// <summary>A GoDaddy domain, the API key and its secret. ToString never shows either.</summary>
public sealed class GoDaddyOptions : DdnsApiOptions
{
    /// <summary>GoDaddy's smallest TTL, used for a record it creates.</summary>
    public const int DefaultTtl = 600;

    public required string Key { get; init; }

    public required string Secret { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://api.godaddy.com/");

    internal override IReadOnlyList<string> Secrets => [Key, Secret];

    public override string ToString() => $"godaddy {Api} domain {Domain} key {DdnsText.Redacted}";
}
