using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Dynv6;

/// <summary><c>provider = "dynv6"</c>: a dynv6 zone's own address and A/AAAA records below it, created when missing.</summary>
public sealed class Dynv6Definition() : DdnsDomainDefinition(
    "dynv6",
    "dynv6 REST API: the zone's own address and records below it, with the account's HTTP token",
    new DdnsZoneKey("The dynv6 zone the names are in (e.g. myhome.dynv6.net)") { Example = ConfigKey.Toml("myhome.dynv6.net") },
    new SecretKey("token", "The HTTP token (dynv6.com, Keys)", "/etc/rebound/dynv6.token") { Required = true })
{
    public override string ExampleNames => ConfigKey.Toml(["myhome.dynv6.net", "nas.myhome.dynv6.net"]);

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new Dynv6Provider(new Dynv6Options { Domain = settings.Domain, Token = settings.Credentials[0].Reveal() }, timeProvider: time);
}
