using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Linode;

/// <summary><c>provider = "linode"</c>: A/AAAA records of one domain in Linode's DNS Manager, created when missing.</summary>
public sealed class LinodeDefinition() : DdnsDomainDefinition(
    "linode",
    "Linode (Akamai) DNS Manager (api.linode.com v4): the names' records of one domain, with a token (Domains read/write)",
    new DdnsZoneKey("The domain the names are in", "domain") { Example = ConfigKey.Toml("example.net") },
    new SecretKey("token", "A personal access token with Domains read/write", "/etc/rebound/linode.token") { Required = true })
{
    public override bool WritesTtl => true;

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new LinodeProvider(new LinodeOptions { Domain = settings.Domain, Ttl = ttl, Token = settings.Credentials[0].Reveal() }, timeProvider: time);
}
