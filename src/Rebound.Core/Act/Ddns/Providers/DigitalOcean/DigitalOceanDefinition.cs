using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.DigitalOcean;

/// <summary><c>provider = "digitalocean"</c>: A/AAAA records of one domain on DigitalOcean DNS, created when missing.</summary>
public sealed class DigitalOceanDefinition() : DdnsDomainDefinition(
    "digitalocean",
    "DigitalOcean DNS (api.digitalocean.com v2): the names' records of one domain, with an API token (domain read/update)",
    new DdnsZoneKey("The domain the names are in", "domain") { Example = ConfigKey.Toml("example.net") },
    new SecretKey("token", "A personal access token with read and write on the domain", "/etc/rebound/digitalocean.token") { Required = true })
{
    public override bool WritesTtl => true;

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new DigitalOceanProvider(new DigitalOceanOptions { Domain = settings.Domain, Ttl = ttl, Token = settings.Credentials[0].Reveal() }, timeProvider: time);
}
