using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Hetzner;

/// <summary>A Hetzner DNS zone and the API token.</summary>
public sealed record HetznerSettings(Secret Token, string Zone);

/// <summary><c>provider = "hetzner"</c>: A/AAAA records of one zone in the Hetzner DNS Console, created when missing.</summary>
public sealed class HetznerDefinition : DdnsProviderDefinition<HetznerSettings>
{
    public HetznerDefinition()
        : base("hetzner", "Hetzner DNS API (dns.hetzner.com): the names' records of one zone, with an API token")
    {
    }

    public SecretKey Token { get; } = new("token", "An API token of the DNS Console", "/etc/rebound/hetzner.token")
    {
        Required = true,
    };

    public DdnsZoneKey Zone { get; } = new("The zone the names are in") { Example = ConfigKey.Toml("example.net") };

    public override IReadOnlyList<ConfigKey> Keys => [Token, Zone];

    public override bool WritesTtl => true;

    internal static HetznerOptions Options(HetznerSettings settings, int? ttl = null) =>
        new() { Ttl = ttl, Token = settings.Token.Reveal(), Zone = settings.Zone };

    internal override HetznerSettings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var token = Token.Read(s);
        var zone = Zone.Read(s, entry.Names);
        return token is null || zone is null ? null : new HetznerSettings(token, zone.ToString().TrimEnd('.'));
    }

    internal override string Identity(HetznerSettings settings) => $"{settings.Zone}|{Hash(settings.Token.Reveal())}";

    internal override string Describe(HetznerSettings settings) => $"zone {settings.Zone}, token from {settings.Token.Source}";

    /// <summary>Verified (and checked for drift) by reading the zone's records back from the API.</summary>
    public override bool VerifiesAtItsServer => true;

    internal override Task<DdnsProviderParts> CreateAsync(HetznerSettings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct)
    {
        var provider = new HetznerProvider(Options(settings, entry.Ttl), timeProvider: time);
        return Task.FromResult(Http(provider) with { Verifier = provider });
    }
}
