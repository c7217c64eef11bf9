using Rebound.Configuration;
using Rebound.Decide;

namespace Rebound.Act.Ddns.Providers.Namecheap;

/// <summary><c>provider = "namecheap"</c>: A records of one domain through Namecheap's Dynamic DNS, with its password.</summary>
public sealed class NamecheapDefinition() : DdnsDomainDefinition(
    "namecheap",
    "Namecheap Dynamic DNS: A records (IPv4 only) of one domain, with the domain's Dynamic DNS password",
    new DdnsZoneKey("The domain the names are in", "domain") { Example = ConfigKey.Toml("example.net") },
    new SecretKey("password", "The domain's Dynamic DNS password (Advanced DNS, Dynamic DNS)", "/etc/rebound/namecheap.pass") { Required = true })
{
    /// <summary>Nothing to read the record back from: give <c>verify_server</c> to check it.</summary>
    public override bool VerifiesAtItsServer => false;

    private protected override void Check(ConfigSection s, DdnsEntryContext entry)
    {
        if (entry.Families?.Contains(IpFamily.Ipv6) == true)
            s.Problem(s.Node("families") ?? s.Table, "families", "[\"ipv4\"] (Namecheap Dynamic DNS updates A records only)");
    }

    private protected override IDdnsProvider Build(DdnsDomainSettings settings, int? ttl, TimeProvider time) =>
        new NamecheapProvider(new NamecheapOptions { Domain = settings.Domain, Password = settings.Credentials[0].Reveal() }, timeProvider: time);
}
