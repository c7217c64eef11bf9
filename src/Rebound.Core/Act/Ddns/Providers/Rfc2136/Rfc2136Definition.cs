using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Configuration;

namespace Rebound.Act.Ddns.Providers.Rfc2136;

/// <summary>RFC 2136 UPDATE of one zone at its primary server, signed with TSIG (BIND, Knot, PowerDNS), by our own client.</summary>
/// <param name="Server">The primary name server (port 53 unless given).</param>
/// <param name="Key">The TSIG key; null: unsigned updates.</param>
/// <param name="Ttl">The TTL of the records written.</param>
public sealed record Rfc2136Settings(HostPort Server, DnsName Zone, TsigKey? Key, int Ttl);

/// <summary><c>provider = "rfc2136"</c>: all names of the zone go in one atomic UPDATE, verified at the same server.</summary>
public sealed class Rfc2136Definition : DdnsProviderDefinition<Rfc2136Settings>
{
    public Rfc2136Definition()
        : base("rfc2136", "RFC 2136 UPDATE signed with TSIG (BIND, Knot, PowerDNS); all names of a zone change in one atomic UPDATE")
    {
    }

    public HostPortKey Server { get; } = new("server", "The zone's primary name server", "HOST or HOST:PORT of the primary name server", DnsPort)
    {
        Required = true,
        Example = ConfigKey.Toml("ns1.example.net"),
    };

    public DdnsZoneKey Zone { get; } = new("The zone the names are in") { Example = ConfigKey.Toml("example.net") };

    public StringKey KeyFile { get; } = new(
        "key_file",
        "The key clause written by 'tsig-keygen -a hmac-sha256 NAME' (mode 0600); none: unsigned updates",
        "the path of a key file written by tsig-keygen")
    {
        Example = ConfigKey.Toml("/etc/rebound/home.key"),
    };

    /// <summary>The TTL written when the entry has no <c>ttl</c>.</summary>
    public const int DefaultTtl = 60;

    public override IReadOnlyList<ConfigKey> Keys => [Server, Zone, KeyFile];

    public override bool WritesTtl => true;

    public override bool VerifiesAtItsServer => true;

    internal override Rfc2136Settings? ReadSettings(ConfigSection s, DdnsEntryContext entry)
    {
        var server = Server.Read(s);
        var zone = Zone.Read(s, entry.Names);
        var ttl = entry.Ttl ?? DefaultTtl;
        TsigKey? key = null;
        if (KeyFile.Read(s) is { } path && s.Reader.ReadSecretFile(s, KeyFile.Name, path) is { } text)
        {
            if (!TsigKeyFile.TryParse(text, out var keys, out var error))
                s.Problem(KeyFile.Name, $"a key clause as written by tsig-keygen in {path} ({error})");
            else if (keys.Count != 1)
                s.Problem(KeyFile.Name, $"exactly one key clause in {path}, found {keys.Count}");
            else
                key = keys[0];
        }

        return server is null || zone is null ? null : new Rfc2136Settings(server, zone, key, ttl);
    }

    // The server without brackets, as earlier versions wrote it: the cache must keep its ids.
    internal override string Identity(Rfc2136Settings settings) =>
        $"{settings.Server.Host}:{settings.Server.Port}|{settings.Zone}|{settings.Key?.Name}|{settings.Ttl}";

    internal override string Describe(Rfc2136Settings settings) =>
        $"server {settings.Server}, zone {settings.Zone.ToString().TrimEnd('.')}, ttl {settings.Ttl}, "
        + (settings.Key is { } key ? $"key {key.Name.ToString().TrimEnd('.')} ({key.Algorithm.Text()})" : "unsigned");

    internal override async Task<DdnsProviderParts> CreateAsync(Rfc2136Settings settings, DdnsEntryConfig entry, TimeProvider time, CancellationToken ct)
    {
        var server = await ResolveAsync(settings.Server, ct) ?? throw new DdnsSetupException($"cannot resolve server {settings.Server.Host}");
        var client = new Rfc2136Client(new Rfc2136ClientOptions { Server = server, Key = settings.Key }, time);
        return new DdnsProviderParts(new Rfc2136Updater(client, settings.Zone, (uint)settings.Ttl)) { Verifier = new AuthoritativeVerifier(client) };
    }
}
