using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Route53;

/// <summary>A Route 53 hosted zone and an IAM access key.</summary>
public sealed record Route53Settings(string ZoneId, string AccessKeyId, Secret SecretAccessKey);

/// <summary><c>provider = "route53"</c>: UPSERTs the names' A/AAAA records in one hosted zone, signed with SigV4.</summary>
public sealed class Route53Definition : DdnsProviderDefinition<Route53Settings>
{
    public Route53Definition()
        : base("route53", "AWS Route 53: the names' records in one hosted zone, with an IAM key (route53:ChangeResourceRecordSets, ListResourceRecordSets)")
    {
    }

    public StringKey ZoneId { get; } = new("zone_id", "The hosted zone's ID", "a hosted zone ID, e.g. \"Z0123456789ABCDEFGHIJ\"")
    {
        Required = true,
        Example = ConfigKey.Toml("Z0123456789ABCDEFGHIJ"),
    };

    public StringKey AccessKeyId { get; } = new("access_key_id", "The IAM access key ID", "an access key ID")
    {
        Required = true,
        Example = ConfigKey.Toml("AKIAIOSFODNN7EXAMPLE"),
    };

    public SecretKey SecretAccessKey { get; } = new("secret_access_key", "The IAM secret access key", "/etc/rebound/route53.secret")
    {
        Required = true,
    };

    public override IReadOnlyList<ConfigKey> Keys => [ZoneId, AccessKeyId, SecretAccessKey];

    public override bool WritesTtl => true;

    internal static Route53Options Options(Route53Settings settings, int? ttl = null) =>
        new() { Ttl = ttl, ZoneId = settings.ZoneId, AccessKeyId = settings.AccessKeyId, SecretAccessKey = settings.SecretAccessKey.Reveal() };

    internal override Route53Settings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var zone = ZoneId.Read(s);
        var key = AccessKeyId.Read(s);
        var secret = SecretAccessKey.Read(s);
        return string.IsNullOrWhiteSpace(zone) || string.IsNullOrWhiteSpace(key) || secret is null ? null : new Route53Settings(zone, key, secret);
    }

    internal override string Identity(Route53Settings settings) => $"{settings.ZoneId}|{settings.AccessKeyId}|{Hash(settings.SecretAccessKey.Reveal())}";

    internal override string Describe(Route53Settings settings) => $"hosted zone {settings.ZoneId} as {settings.AccessKeyId}, secret from {settings.SecretAccessKey.Source}";

    /// <summary>Verified (and checked for drift) by reading the rrset back from the API.</summary>
    public override bool VerifiesAtItsServer => true;

    internal override Task<DdnsProviderParts> CreateAsync(Route53Settings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct)
    {
        var provider = new Route53Provider(Options(settings, entry.Ttl), timeProvider: time);
        return Task.FromResult(Http(provider) with { Verifier = provider });
    }
}
