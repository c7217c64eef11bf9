using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Linode;

/// <summary>A Linode (Akamai) DNS Manager domain and a personal access token. ToString never shows the token.</summary>
public sealed class LinodeOptions : DdnsApiOptions
{
    /// <summary>The TTL of a record it creates (Linode rounds TTLs to its own steps; 300 is one).</summary>
    public const int DefaultTtl = 300;

    public required string Token { get; init; }

    internal override Uri DefaultBaseUri { get; } = new("https://api.linode.com/");

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"linode {Api} domain {Domain} token {DdnsText.Redacted}";
}
