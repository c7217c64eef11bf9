using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Porkbun;

/// <summary><c>provider = "porkbun"</c>: A/AAAA records of one domain at Porkbun, created when missing.</summary>
public sealed class PorkbunDefinition() : DdnsDomainDefinition(
    "porkbun",
    "Porkbun API v3: the names' records of one domain (API access turned on for it), with the account's API key pair",
    new DdnsZoneKey("The domain the names are in", "domain") { Example = ConfigKey.Toml("example.net") },
    new SecretKey("api_key", "The API key (pk1_…)", "/etc/rebound/porkbun.apikey") { Required = true },
    new SecretKey("secret_api_key", "The secret API key (sk1_…)", "/etc/rebound/porkbun.secret") { Required = true })
{
    public override bool WritesTtl => true;

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new PorkbunProvider(
            new PorkbunOptions { Domain = settings.Domain, Ttl = ttl, ApiKey = settings.Credentials[0].Reveal(), SecretApiKey = settings.Credentials[1].Reveal() },
            timeProvider: time);
}
