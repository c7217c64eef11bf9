using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Cloudflare;

/// <summary>A Cloudflare zone: its name, the API, the token and (optionally) the zone's ID.</summary>
public sealed record CloudflareSettings(string Zone, Uri Api, Secret Token, string? ZoneId);

/// <summary><c>provider = "cloudflare"</c>: the records (which must exist) of one zone, changed through API v4.</summary>
public sealed class CloudflareDefinition : DdnsProviderDefinition<CloudflareSettings>
{
    public CloudflareDefinition()
        : base("cloudflare", "Cloudflare API v4: existing records of one zone, with an API token (Zone:Read, DNS:Edit)")
    {
    }

    public DdnsZoneKey Zone { get; } = new("The zone the names are in") { Example = ConfigKey.Toml("example.org") };

    public StringKey ZoneId { get; } = new("zone_id", "The zone's ID, which spares the lookup (and the token's Zone:Read)", "the zone's ID (32 hex digits)")
    {
        Example = ConfigKey.Toml("023e105f4ecef8ad9ca31a8372d0c353"),
    };

    public UrlKey Api { get; } = new("api", "The API's base URL") { Default = CloudflareOptions.DefaultBaseUri };

    public SecretKey Token { get; } = new("token", "An API token with DNS:Edit (and Zone:Read without zone_id) on the zone", "/etc/rebound/cloudflare.token")
    {
        Required = true,
    };

    public override IReadOnlyList<ConfigKey> Keys => [Zone, ZoneId, Api, Token];

    public override string ExampleNames => ConfigKey.Toml(["vpn.example.org"]);

    public override bool WritesTtl => true;

    internal static CloudflareOptions Options(CloudflareSettings settings, int? ttl = null) =>
        new() { Ttl = ttl, BaseUri = settings.Api, ZoneName = settings.Zone, ApiToken = settings.Token.Reveal(), ZoneId = settings.ZoneId };

    internal override CloudflareSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var zone = Zone.Read(s, entry.Names);
        var api = Api.Read(s);
        var zoneId = ZoneId.Read(s);
        var token = Token.Read(s);
        return zone is null || api is null || token is null ? null : new CloudflareSettings(zone.ToString().TrimEnd('.'), api, token, zoneId);
    }

    internal override string Identity(CloudflareSettings settings) => $"{settings.Api}|{settings.Zone}|{settings.ZoneId}|{Hash(settings.Token.Reveal())}";

    internal override string Describe(CloudflareSettings settings) => $"zone {settings.Zone} at {settings.Api}, token from {settings.Token.Source}";

    internal override Task<DdnsProviderParts> CreateAsync(CloudflareSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct) =>
        Task.FromResult(Http(new CloudflareProvider(Options(settings, entry.Ttl), timeProvider: time)));
}
