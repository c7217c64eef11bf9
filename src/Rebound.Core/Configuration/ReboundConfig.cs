using Rebound.Act.Ddns.Http;
using Rebound.Act.Ddns.Rfc2136;
using Rebound.Decide;
using Rebound.Sense;

namespace Rebound.Configuration;

/// <summary>The whole configuration file, validated.</summary>
public sealed record ReboundConfig(WatchConfig Watch, StateConfig State, IReadOnlyList<DdnsEntryConfig> Ddns)
{
    public HealConfig Heal { get; init; } = HealConfig.Default;
    public IReadOnlyList<HookConfig> Hooks { get; init; } = [];
    public JournalConfig Journal { get; init; } = JournalConfig.Default;

    /// <summary>The <c>[http]</c> table: status page, metrics, event stream, control socket.</summary>
    public HttpConfig Http { get; init; } = HttpConfig.Default;

    /// <summary>The <c>[tailscale]</c> table; null when the file has none.</summary>
    public TailscaleConfig? Tailscale { get; init; }

    /// <summary>The <c>[router]</c> table; null: not running on the router (router mode off).</summary>
    public RouterConfig? Router { get; init; }

    /// <summary>The <c>[[wireguard]]</c> interfaces to heal.</summary>
    public IReadOnlyList<WireGuardConfig> WireGuard { get; init; } = [];
}

/// <summary>The <c>[watch]</c> table: which STUN servers to ask and how often.</summary>
public sealed record WatchConfig(
    IReadOnlyList<StunTarget> Servers,
    TimeSpan Interval,
    TimeSpan ProbeTimeout,
    int ConfirmServers,
    int ConfirmRounds,
    int LossRounds)
{
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Take the public IPv6 address from this interface's global address (IPv6 is rarely NATed, so
    /// the host's own address is what DNS should carry) instead of from STUN over IPv6.
    /// </summary>
    public string? Ipv6Interface { get; init; }

    /// <summary>Used when the file has no <c>[watch]</c> table: the public servers at the polite interval.</summary>
    public static WatchConfig Default { get; } = new(
        StunTarget.PublicDefaults, WanWatcherOptions.DefaultInterval, DefaultProbeTimeout, 2, 2, 2);

    public WanWatcherOptions ToWatcherOptions() => new()
    {
        Targets = Servers,
        Interval = Interval,
        ConfirmServers = ConfirmServers,
        ConfirmRounds = ConfirmRounds,
        LossRounds = LossRounds,
    };
}

/// <summary>The <c>[state]</c> table.</summary>
public sealed record StateConfig(string Directory)
{
    public const string DefaultDirectory = "/var/lib/rebound";
}

public enum DdnsProviderKind
{
    Rfc2136,
    Dyndns2,
    Cloudflare,
    DuckDns,
    Desec,
}

/// <summary>
/// One <c>[[ddns]]</c> entry. Exactly one of the provider settings is non-null, the one matching
/// <see cref="Provider"/>. <see cref="Names"/> are fully qualified, lower-case, without a trailing dot
/// (a DuckDNS "myhome" becomes "myhome.duckdns.org").
/// </summary>
public sealed record DdnsEntryConfig(
    int Index,
    int Line,
    DdnsProviderKind Provider,
    IReadOnlyList<string> Names,
    IReadOnlyList<IpFamily> Families,
    int? Ttl,
    TimeSpan MinInterval,
    TimeSpan Refresh)
{
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromDays(7);
    public static readonly TimeSpan DesecMinInterval = TimeSpan.FromMinutes(1);
    public const int DefaultTtl = 60;

    public Rfc2136Settings? Rfc2136 { get; init; }
    public Dyndns2Settings? Dyndns2 { get; init; }
    public CloudflareSettings? Cloudflare { get; init; }
    public DuckDnsSettings? DuckDns { get; init; }
    public DesecSettings? Desec { get; init; }

    /// <summary>
    /// Where to check that an update is published. RFC 2136 entries default to their own server; for
    /// HTTP providers it must be given (one of the zone's authoritative servers), else nothing is verified.
    /// </summary>
    public HostPort? VerifyServer { get; init; }

    /// <summary>"ddns[1] (cloudflare)", for log lines.</summary>
    public string Label => $"ddns[{Index}] ({DdnsProviders.Name(Provider)})";
}

/// <summary>A host (name or address) and port.</summary>
public sealed record HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

/// <summary>RFC 2136 dynamic update to a primary server. <see cref="Key"/> null means unsigned updates.</summary>
public sealed record Rfc2136Settings(string ServerHost, int ServerPort, DnsName Zone, TsigKey? Key)
{
    public const int DefaultPort = 53;
}

public sealed record Dyndns2Settings(Uri Url, string Username, Secret Password)
{
    public Dyndns2Options ToOptions() => new() { BaseUri = Url, Username = Username, Password = Password.Reveal() };
}

public sealed record CloudflareSettings(string Zone, Uri Api, Secret Token, string? ZoneId)
{
    public CloudflareOptions ToOptions() => new() { BaseUri = Api, ZoneName = Zone, ApiToken = Token.Reveal(), ZoneId = ZoneId };
}

public sealed record DuckDnsSettings(Secret Token)
{
    public DuckDnsOptions ToOptions() => new() { Token = Token.Reveal() };
}

public sealed record DesecSettings(Secret Token, string? Username, TimeSpan MinInterval)
{
    public DesecOptions ToOptions() => new() { Token = Token.Reveal(), Username = Username, MinimumInterval = MinInterval };
}

public static class DdnsProviders
{
    public static string Name(DdnsProviderKind kind) => kind switch
    {
        DdnsProviderKind.Rfc2136 => "rfc2136",
        DdnsProviderKind.Dyndns2 => "dyndns2",
        DdnsProviderKind.Cloudflare => "cloudflare",
        DdnsProviderKind.DuckDns => "duckdns",
        _ => "desec",
    };

    public static bool TryParse(string text, out DdnsProviderKind kind)
    {
        foreach (var candidate in Enum.GetValues<DdnsProviderKind>())
        {
            if (Name(candidate) == text)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
