using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Desec;

/// <summary>A deSEC dynDNS token. ToString never shows the token.</summary>
public sealed class DesecOptions : DdnsHttpOptions
{
    public static readonly Uri DefaultBaseUri = new("https://update.dedyn.io/");

    /// <summary>deSEC allows one dynDNS update per minute per domain.</summary>
    public static readonly TimeSpan DefaultMinimumInterval = TimeSpan.FromMinutes(1);

    public Uri BaseUri { get; init; } = DefaultBaseUri;

    /// <summary>deSEC accepts any path not ending in .ico or .png; /nic/update is the dyndns2 convention.</summary>
    public string UpdatePath { get; init; } = "/nic/update";

    public required string Token { get; init; }

    /// <summary>
    /// Basic-auth user name; null means the hostname being updated (right for a dedyn.io name). Also the key of
    /// the once-a-minute gate, since deSEC throttles per domain.
    /// </summary>
    public string? Username { get; init; }

    /// <summary>The gate between two updates of one domain; no retry comes sooner either.</summary>
    public TimeSpan MinimumInterval { get; init; } = DefaultMinimumInterval;

    internal override IReadOnlyList<string> Secrets => [Token];

    internal override TimeSpan RateLimitWait => MinimumInterval;

    internal override TimeSpan MinimumWait => MinimumInterval;

    public override string ToString() => $"desec {BaseUri} user {Username ?? "(hostname)"} token {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumInterval, TimeSpan.Zero, nameof(MinimumInterval));
        base.Validate();
    }
}
