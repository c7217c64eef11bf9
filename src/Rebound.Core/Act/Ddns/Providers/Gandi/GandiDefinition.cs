using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Gandi;

/// <summary><c>provider = "gandi"</c>: A/AAAA rrsets of one domain on Gandi LiveDNS, created when missing.</summary>
public sealed class GandiDefinition() : DdnsDomainDefinition(
    "gandi",
    "Gandi LiveDNS (api.gandi.net v5): the names' rrsets of one domain, with a personal access token",
    new DdnsZoneKey("The domain the names are in", "domain") { Example = ConfigKey.Toml("example.net") },
    new SecretKey("token", "A personal access token allowed to manage the domain's DNS records", "/etc/rebound/gandi.token") { Required = true })
{
    public override bool WritesTtl => true;

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new GandiProvider(new GandiOptions { Domain = settings.Domain, Ttl = ttl, Token = settings.Credentials[0].Reveal() }, timeProvider: time);
}
