using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.GoDaddy;

/// <summary><c>provider = "godaddy"</c>: A/AAAA records of one domain at GoDaddy, created when missing.</summary>
public sealed class GoDaddyDefinition() : DdnsDomainDefinition(
    "godaddy",
    "GoDaddy Domains API (api.godaddy.com v1): the names' records of one domain, with a production API key and secret",
    new DdnsZoneKey("The domain the names are in", "domain") { Example = ConfigKey.Toml("example.net") },
    new SecretKey("key", "The API key (developer.godaddy.com/keys, production)", "/etc/rebound/godaddy.apikey") { Required = true },
    new SecretKey("secret", "The API key's secret", "/etc/rebound/godaddy.secret") { Required = true })
{
    public override bool WritesTtl => true;

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new GoDaddyProvider(
            new GoDaddyOptions { Domain = settings.Domain, Ttl = ttl, Key = settings.Credentials[0].Reveal(), Secret = settings.Credentials[1].Reveal() },
            timeProvider: time);
}
