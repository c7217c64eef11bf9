using Rebound.Act.Ddns.Rfc2136;
using Rebound.Configuration;

namespace Rebound.Act.Ddns;

/// <summary>
/// <c>zone</c>: the DNS zone the records live in, for providers that work per zone. Every record name must be
/// inside it.
/// </summary>
public sealed class DdnsZoneKey : ConfigKey
{
    /// <param name="name">The key: <c>zone</c>, or <c>domain</c> for a provider that calls it that.</param>
    public DdnsZoneKey(string doc, string name = "zone")
        : base(name, doc)
    {
        Required = true;
        Expected = $"the {name} name, e.g. \"example.com\"";
    }

    private string Expected { get; }

    public override string Type => "a zone name";

    /// <summary>The zone (names outside it are reported), or null when missing or wrong.</summary>
    internal DnsName? Read(ConfigSection s, IReadOnlyList<string>? names)
    {
        var text = s.String(Name, Expected);
        if (text is null)
        {
            if (s.Node(Name) is null)
                s.Problem(Name, $"{Expected} (missing)");
            return null;
        }

        var normalized = text.Trim().TrimEnd('.').ToLowerInvariant();
        if (!HostPort.IsHostName(normalized) || !DnsName.TryParse(normalized, out var zone))
        {
            s.Problem(Name, $"{Expected}, found {ConfigReader.Clip(text)}");
            return null;
        }

        foreach (var name in names ?? [])
        {
            if (DnsName.TryParse(name, out var dnsName) && !dnsName.IsSubdomainOf(zone))
                s.Problem(s.Node("names") ?? s.Table, "names", $"names inside {Name} {normalized}; {name} is not");
        }

        return zone;
    }
}
