using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Cloudflare;

/// <summary>A Cloudflare API token (Zone:Read and DNS:Edit on the zone). ToString never shows the token.</summary>
public sealed class CloudflareOptions : DdnsHttpOptions
{
    public static readonly Uri DefaultBaseUri = new("https://api.cloudflare.com/");

    /// <summary>Scheme and host of the API; requests go to /client/v4/... under it.</summary>
    public Uri BaseUri { get; init; } = DefaultBaseUri;

    public required string ApiToken { get; init; }

    /// <summary>The zone the records live in, e.g. example.com.</summary>
    public required string ZoneName { get; init; }

    /// <summary>The zone's ID when known, which skips the zone lookup (and the need for Zone:Read).</summary>
    public string? ZoneId { get; init; }

    /// <summary>
    /// Wait after a 429 without Retry-After: Cloudflare documents that exceeding the global limit blocks
    /// all calls for the next five minutes.
    /// </summary>
    public TimeSpan RateLimitRetry { get; init; } = TimeSpan.FromMinutes(5);

    internal override IReadOnlyList<string> Secrets => [ApiToken];

    internal override TimeSpan RateLimitWait => RateLimitRetry;

    public override string ToString() => $"cloudflare {BaseUri} zone {ZoneName} token {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(ZoneName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RateLimitRetry, TimeSpan.Zero, nameof(RateLimitRetry));
        base.Validate();
    }
}
