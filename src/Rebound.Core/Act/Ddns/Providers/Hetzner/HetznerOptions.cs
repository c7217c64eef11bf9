using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Hetzner;

/// <summary>A Hetzner DNS Console zone and its API token. ToString never shows the token.</summary>
public sealed class HetznerOptions : DdnsHttpOptions
{
    public static readonly Uri DefaultBaseUri = new("https://dns.hetzner.com/");

    public const int DefaultTtl = 60;

    /// <summary>Requests go to /api/v1/... under it.</summary>
    public Uri BaseUri { get; init; } = DefaultBaseUri;

    public required string Token { get; init; }

    public required string Zone { get; init; }

    internal override IReadOnlyList<string> Secrets => [Token];

    public override string ToString() => $"hetzner {BaseUri} zone {Zone} token {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(Zone);
        base.Validate();
    }
}
