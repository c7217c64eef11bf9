namespace Rebound.Act.Ddns.Http;

/// <summary>A deSEC dynDNS token. ToString never shows the token.</summary>
public sealed class DesecOptions
{
    public static readonly Uri DefaultBaseUri = new("https://update.dedyn.io/");

    public Uri BaseUri { get; init; } = DefaultBaseUri;

    /// <summary>deSEC accepts any path not ending in .ico or .png; /nic/update is the dyndns2 convention.</summary>
    public string UpdatePath { get; init; } = "/nic/update";

    public required string Token { get; init; }

    /// <summary>
    /// Basic-auth user name; null means the hostname being updated (right for a dedyn.io name). Also the key of
    /// the once-a-minute gate, since deSEC throttles per domain.
    /// </summary>
    public string? Username { get; init; }

    /// <summary>deSEC allows one dynDNS update per minute per domain.</summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a network failure, a 5xx or an answer we do not understand.</summary>
    public TimeSpan TransientRetry { get; init; } = TimeSpan.FromMinutes(1);

    public override string ToString() => $"desec {BaseUri} user {Username ?? "(hostname)"} token {DdnsText.Redacted}";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrEmpty(Token);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumInterval, TimeSpan.Zero, nameof(MinimumInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TransientRetry, TimeSpan.Zero, nameof(TransientRetry));
    }
}
