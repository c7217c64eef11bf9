using Rebound.Act.Ddns.Providers.Cloudflare;
using Rebound.Act.Ddns.Providers.Custom;
using Rebound.Act.Ddns.Providers.Desec;
using Rebound.Act.Ddns.Providers.DigitalOcean;
using Rebound.Act.Ddns.Providers.DuckDns;
using Rebound.Act.Ddns.Providers.Dyndns2;
using Rebound.Act.Ddns.Providers.Dynv6;
using Rebound.Act.Ddns.Providers.FreeDns;
using Rebound.Act.Ddns.Providers.Gandi;
using Rebound.Act.Ddns.Providers.GoDaddy;
using Rebound.Act.Ddns.Providers.Hetzner;
using Rebound.Act.Ddns.Providers.Linode;
using Rebound.Act.Ddns.Providers.Namecheap;
using Rebound.Act.Ddns.Providers.Porkbun;
using Rebound.Act.Ddns.Providers.PowerDns;
using Rebound.Act.Ddns.Providers.Rfc2136;
using Rebound.Act.Ddns.Providers.Route53;

namespace Rebound.Act.Ddns;

/// <summary>
/// Every DNS provider a <c>[[ddns]]</c> entry can name, in the order messages, the sample configuration and
/// <c>--help</c> list them. A new provider is a folder under <c>Providers/</c> with its definition, and one line here;
/// a preset of another provider (a dyndns2 service at a fixed URL) is only the line.
/// </summary>
public static class DdnsProviders
{
    public static IReadOnlyList<DdnsProviderDefinition> All { get; } =
    [
        new Rfc2136Definition(),
        new Dyndns2Definition(),
        new CloudflareDefinition(),
        new DuckDnsDefinition(),
        new DesecDefinition(),
        new PowerDnsDefinition(),
        new Route53Definition(),
        new HetznerDefinition(),
        new PorkbunDefinition(),
        new GandiDefinition(),
        new DigitalOceanDefinition(),
        new LinodeDefinition(),
        new GoDaddyDefinition(),
        new NamecheapDefinition(),
        new Dynv6Definition(),
        new FreeDnsDefinition(),
        new Dyndns2Definition("noip", "No-IP, dyndns2 at dynupdate.no-ip.com, with the account (or a DDNS key) and its password", new Uri("https://dynupdate.no-ip.com/")),
        new Dyndns2Definition("dynu", "Dynu, dyndns2 at api.dynu.com, with the account and its password (or IP-update password)", new Uri("https://api.dynu.com/")),
        new Dyndns2Definition("ovh", "OVH DynHost, dyndns2 at www.ovh.com (system=dyndns), with the DynHost login and password", new Uri("https://www.ovh.com/"), "system=dyndns"),
        new CustomDefinition(),
    ];

    /// <summary>The provider <c>provider = "…"</c> names, or null.</summary>
    public static DdnsProviderDefinition? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
