namespace Rebound.Act.Ddns.Http;

/// <summary>A DuckDNS account token. ToString never shows the token.</summary>
public sealed class DuckDnsOptions
{
    public static readonly Uri DefaultBaseUri = new("https://www.duckdns.org/");

    public Uri BaseUri { get; init; } = DefaultBaseUri;

    public required string Token { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a network failure, a 5xx or an answer we do not understand.</summary>
    public TimeSpan TransientRetry { get; init; } = TimeSpan.FromMinutes(1);

    public override string ToString() => $"duckdns {BaseUri} token {DdnsText.Redacted}";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrEmpty(Token);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TransientRetry, TimeSpan.Zero, nameof(TransientRetry));
    }
}
