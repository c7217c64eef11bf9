using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Route53;

/// <summary>An AWS Route 53 hosted zone and the IAM access key that may change it. ToString never shows the secret key.</summary>
public sealed class Route53Options : DdnsHttpOptions
{
    public static readonly Uri DefaultBaseUri = new("https://route53.amazonaws.com/");

    /// <summary>Route 53 is a global service signed for us-east-1.</summary>
    public const string Region = "us-east-1";

    public const string Service = "route53";

    public const int DefaultTtl = 60;

    public Uri BaseUri { get; init; } = DefaultBaseUri;

    /// <summary>The hosted zone's ID (Z…), with or without the /hostedzone/ prefix.</summary>
    public required string ZoneId { get; init; }

    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    /// <summary>Route 53 allows five requests a second per account; a throttled answer waits this long when it says nothing.</summary>
    public TimeSpan ThrottleRetry { get; init; } = TimeSpan.FromSeconds(2);

    internal string BareZoneId => ZoneId.Trim().Replace("/hostedzone/", "", StringComparison.Ordinal).Trim('/');

    internal override IReadOnlyList<string> Secrets => [SecretAccessKey];

    internal override TimeSpan RateLimitWait => ThrottleRetry;

    public override string ToString() => $"route53 {BaseUri} zone {BareZoneId} key {AccessKeyId} secret {DdnsText.Redacted}";

    internal override void Validate()
    {
        ArgumentNullException.ThrowIfNull(BaseUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(ZoneId);
        ArgumentException.ThrowIfNullOrWhiteSpace(AccessKeyId);
        base.Validate();
    }
}
