using Rebound.Act.Ddns;
using Rebound.Decide;

namespace Rebound.Configuration;

/// <summary>
/// <c>[[ddns]]</c>: DNS records kept on the current public address. The keys here are every provider's; the rest
/// belong to the provider <c>provider</c> names (<see cref="DdnsProviders.All"/>), whose definition reads them.
/// </summary>
public sealed class DdnsTable : ConfigTable
{
    private const string HostNames = "a non-empty array of host names";

    private static readonly TimeSpan DefaultRefresh = TimeSpan.FromDays(7);

    private static readonly TimeSpan DefaultDriftCheck = TimeSpan.FromMinutes(10);

    // Last: the static fields above are needed by the instance.
    public static readonly DdnsTable Instance = new();

    private DdnsTable()
    {
        var others = DdnsProviders.All.Where(p => p.DefaultMinInterval > TimeSpan.Zero)
            .Select(p => $"{p.Name}: {ConfigDuration.Format(p.DefaultMinInterval)}").ToList();
        MinInterval = new("min_interval", "Least time between two updates of a record; a newer address waits for the window"
            + (others.Count == 0 ? "" : $" ({string.Join(", ", others)} unless given)"))
        {
            Default = TimeSpan.Zero,
            AllowZero = true,
        };
        Keys = [Provider, Names, Families, Ttl, MinInterval, Refresh, DriftCheck, VerifyServer];
    }

    public CustomKey Provider { get; } = new("provider", "Who publishes the records: " + string.Join(", ", DdnsProviders.All.Select(p => p.Name)), "a provider name")
    {
        Required = true,
        Example = ConfigKey.Toml(DdnsProviders.All[0].Name),
    };

    public CustomKey Names { get; } = new("names", "The records' fully qualified names", "an array of host names")
    {
        Required = true,
        Example = ConfigKey.Toml(["home.example.net"]),
    };

    public CustomKey Families { get; } = new("families", "Which records to keep: A (ipv4), AAAA (ipv6) or both", "[\"ipv4\"], [\"ipv6\"] or [\"ipv4\", \"ipv6\"]")
    {
        Default = ConfigKey.Toml(["ipv4"]),
    };

    public IntegerKey Ttl { get; } = new("ttl",
        "The TTL of the records written, in seconds; unset: rfc2136 writes 60, an API provider keeps the record's own (or its default). "
        + "Refused by providers whose update carries no TTL: " + string.Join(", ", DdnsProviders.All.Where(p => !p.WritesTtl).Select(p => p.Name)),
        0, int.MaxValue)
    {
        Example = "300",
    };

    public DurationKey MinInterval { get; }

    public DurationKey Refresh { get; } = new("refresh", "Send an unchanged record again after this long, so a record changed by hand is put right")
    {
        Default = DefaultRefresh,
    };

    public DurationKey DriftCheck { get; } = new("drift_check",
        "How often records believed current are compared with what the server holds (also at start and after a reload); a difference is sent again at once")
    {
        Default = DefaultDriftCheck,
    };

    public HostPortKey VerifyServer { get; } = new(
        "verify_server",
        "A name server authoritative for the names, asked until it serves the new address (a provider with a server of its own uses that)",
        "HOST or HOST:PORT of a name server authoritative for the names",
        DdnsProviderDefinition.DnsPort)
    {
        Example = ConfigKey.Toml("ns1.example.net"),
    };

    public override string Name => "ddns";

    public override bool Many => true;

    public override string Description =>
        "DNS records kept on the current public address and verified at an authoritative server; an address the provider "
        + "already has is never sent again. One [[ddns]] table per provider account or zone, with these keys and those of its provider.";

    public override IReadOnlyList<ConfigKey> Keys { get; }

    public override IReadOnlyList<ConfigVariant> Variants =>
        [.. DdnsProviders.All.Select(p => new ConfigVariant(p.Name, p.Doc, [$"{Provider.Name} = {ConfigKey.Toml(p.Name)}", $"{Names.Name} = {p.ExampleNames}"], p.Keys))];

    internal IReadOnlyList<DdnsEntryConfig> Read(ConfigReader reader, ConfigSection top)
    {
        var entries = new List<DdnsEntryConfig>();
        var tables = top.TableArray(Name) ?? [];
        var seen = new Dictionary<(IpFamily, string), (int Index, int Line)>();
        for (int i = 0; i < tables.Count; i++)
        {
            if (ReadEntry(new ConfigSection(reader, tables[i], $"ddns[{i}]"), i, seen) is { } entry)
                entries.Add(entry);
        }

        return entries;
    }

    internal static string Describe(DdnsEntryConfig entry) =>
        $"{entry.Label} line {entry.Line}: {string.Join(", ", entry.Names)} ({string.Join("+", entry.Families.Select(f => f.ToName()))}); "
        + $"{entry.Provider.Describe(entry.Settings)}; "
        + $"min interval {ConfigDuration.Format(entry.MinInterval)}, refresh every {ConfigDuration.Format(entry.Refresh)}; "
        + (entry.VerifyServer is { } v ? $"verified at {v}" : entry.Provider.VerifiesAtItsServer ? "verified at its server" : "not verified (no verify_server)");

    private DdnsEntryConfig? ReadEntry(ConfigSection s, int index, Dictionary<(IpFamily, string), (int Index, int Line)> seen)
    {
        var startProblems = s.ProblemCount;
        var provider = ReadProvider(s);
        var families = ReadFamilies(s);
        var minInterval = MinInterval.Read(s)!.Value;
        var refresh = Refresh.Read(s)!.Value;
        var driftCheck = DriftCheck.Read(s)!.Value;
        var names = ReadNames(s, provider);
        var verifyServer = VerifyServer.Read(s);
        var ttl = Ttl.Read(s);
        if (provider is null)
        {
            // Still check what does not depend on the provider, so one run shows every problem.
            s.RejectUnknown([.. Keys, .. DdnsProviders.All.SelectMany(p => p.Keys)]);
            return null;
        }

        if (s.Node(MinInterval.Name) is null)
            minInterval = provider.DefaultMinInterval;
        if (ttl is not null && !provider.WritesTtl)
            s.Problem(Ttl.Name, $"no ttl: a {provider.Name} update carries no TTL (the provider's own applies)");
        var settings = provider.Read(s, new DdnsEntryContext(names, minInterval, families, ttl));
        s.RejectUnknown([.. Keys, .. provider.Keys], provider.Name);
        if (names is not null)
            CheckDuplicates(s, index, names, families, seen);
        if (s.ProblemCount > startProblems || names is null || settings is null)
            return null;

        return new DdnsEntryConfig(index, s.Table.Line, provider, settings, names, families, minInterval, refresh) { VerifyServer = verifyServer, DriftCheck = driftCheck, Ttl = ttl };
    }

    private DdnsProviderDefinition? ReadProvider(ConfigSection s)
    {
        var expected = $"one of {string.Join(", ", DdnsProviders.All.Select(p => p.Name))}";
        if (s.String(Provider.Name, expected) is { } text)
        {
            if (DdnsProviders.Find(text) is { } found)
                return found;
            s.Problem(Provider.Name, $"{expected}, found {ConfigReader.Clip(text)}");
        }
        else if (s.Node(Provider.Name) is null)
        {
            s.Problem(Provider.Name, $"{expected} (missing)");
        }

        return null;
    }

    private List<IpFamily> ReadFamilies(ConfigSection s)
    {
        var expected = Families.Type;
        var families = new List<IpFamily>();
        if (s.Strings(Families.Name, expected) is not { } items)
            return s.Node(Families.Name) is null ? [IpFamily.Ipv4] : families;
        foreach (var (text, node) in items)
        {
            IpFamily? family = text switch { "ipv4" => IpFamily.Ipv4, "ipv6" => IpFamily.Ipv6, _ => null };
            if (family is null || families.Contains(family.Value))
                s.Problem(node, Families.Name, $"{expected}, found {ConfigReader.Clip(text)}{(family is null ? "" : " twice")}");
            else
                families.Add(family.Value);
        }

        return families;
    }

    private List<string>? ReadNames(ConfigSection s, DdnsProviderDefinition? provider)
    {
        var items = s.Strings(Names.Name, HostNames);
        if (items is null)
        {
            if (s.Node(Names.Name) is null)
                s.Problem(Names.Name, $"{HostNames} (missing)");
            return null;
        }

        var names = new List<string>();
        bool ok = true;
        foreach (var (text, node) in items)
        {
            var name = text.Trim().TrimEnd('.').ToLowerInvariant();
            if (provider is not null)
                name = provider.CompleteName(name);
            var problem = !HostPort.IsHostName(name) ? "host names like home.example.net" : provider?.CheckName(name);
            if (problem is not null)
            {
                s.Problem(node, Names.Name, $"{problem}, found {ConfigReader.Clip(text)}");
                ok = false;
            }
            else
            {
                names.Add(name);
            }
        }

        return ok ? names : null;
    }

    private static void CheckDuplicates(
        ConfigSection s, int index, List<string> names, List<IpFamily> families, Dictionary<(IpFamily, string), (int Index, int Line)> seen)
    {
        var node = s.Node("names")!;
        foreach (var name in names)
        {
            foreach (var family in families)
            {
                if (seen.TryGetValue((family, name), out var first))
                {
                    if (first.Index != index)
                        s.Problem(node, "names", $"each name once per family; {name} ({family.ToName()}) is already in ddns[{first.Index}] (line {first.Line})");
                    else
                        s.Problem(node, "names", $"each name once; {name} is listed twice");
                }
                else
                {
                    seen[(family, name)] = (index, node.Line);
                }
            }
        }
    }
}
