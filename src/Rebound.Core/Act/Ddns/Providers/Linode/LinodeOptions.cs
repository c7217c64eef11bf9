using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Linode;

/// <summary>A Linode (Akamai) DNS Manager domain and a personal access token. ToString never shows the token.</summary>
public sealed class LinodeOptions : DdnsTokenApiOptions
{
    /// <summary>The TTL of a record it creates (Linode rounds TTLs to its own steps; 300 is one).</summary>
    public const int DefaultTtl = 300;

    internal override Uri DefaultBaseUri { get; } = new("https://api.linode.com/");

    private protected override string Provider => "linode";
}
