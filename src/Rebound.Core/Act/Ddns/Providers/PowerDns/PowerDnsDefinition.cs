using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.PowerDns;

/// <summary>A PowerDNS zone: the API's URL, the key, the zone and the server id.</summary>
public sealed record PowerDnsSettings(Uri Url, Secret ApiKey, string Zone, string ServerId);

/// <summary><c>provider = "powerdns"</c>: records of one zone on a PowerDNS Authoritative server, through its HTTP API.</summary>
public sealed class PowerDnsDefinition : DdnsProviderDefinition<PowerDnsSettings>
{
    public PowerDnsDefinition()
        : base("powerdns", "PowerDNS Authoritative HTTP API: the names' A/AAAA rrsets of one zone, with the API key")
    {
    }

    public UrlKey Url { get; } = new("url", "The server's webserver/API base URL (api=yes, webserver=yes)")
    {
        Required = true,
        Example = ConfigKey.Toml("http://ns1.example.net:8081"),
    };

    public SecretKey ApiKey { get; } = new("api_key", "The server's api-key", "/etc/rebound/powerdns.key")
    {
        Required = true,
    };

    public DdnsZoneKey Zone { get; } = new("The zone the names are in") { Example = ConfigKey.Toml("example.net") };

    public StringKey ServerId { get; } = new("server_id", "The server id in the API's paths", "a server id")
    {
        Default = PowerDnsOptions.DefaultServerId,
    };

    public override IReadOnlyList<ConfigKey> Keys => [Url, ApiKey, Zone, ServerId];

    public override string ExampleNames => ConfigKey.Toml(["home.example.net"]);

    /// <summary>Verified (and checked for drift) by reading the zone back from the API.</summary>
    public override bool VerifiesAtItsServer => true;

    public override bool WritesTtl => true;

    internal static PowerDnsOptions Options(PowerDnsSettings settings, int? ttl = null) =>
        new() { Ttl = ttl, BaseUri = settings.Url, ApiKey = settings.ApiKey.Reveal(), Zone = settings.Zone, ServerId = settings.ServerId };

    internal override PowerDnsSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var url = Url.Read(s);
        var key = ApiKey.Read(s);
        var zone = Zone.Read(s, entry.Names);
        var serverId = ServerId.Read(s);
        return url is null || key is null || zone is null || string.IsNullOrEmpty(serverId)
            ? null
            : new PowerDnsSettings(url, key, zone.ToString().TrimEnd('.'), serverId);
    }

    internal override string Identity(PowerDnsSettings settings) => $"{settings.Url}|{settings.ServerId}|{settings.Zone}|{Hash(settings.ApiKey.Reveal())}";

    internal override string Describe(PowerDnsSettings settings) => $"zone {settings.Zone} on {settings.Url} (server {settings.ServerId}), api key from {settings.ApiKey.Source}";

    internal override Task<DdnsProviderParts> CreateAsync(PowerDnsSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct)
    {
        var provider = new PowerDnsProvider(Options(settings, entry.Ttl), timeProvider: time);
        return Task.FromResult(Http(provider) with { Verifier = provider });
    }
}
