using Rebound.Decide;
using Rebound.Sense.Sources;

namespace Rebound.Configuration;

/// <summary>The whole configuration file, validated.</summary>
public sealed record ReboundConfig(WatchConfig Watch, StateConfig State, IReadOnlyList<DdnsEntryConfig> Ddns)
{
    public HealConfig Heal { get; init; } = HealConfig.Default;
    public IReadOnlyList<HookConfig> Hooks { get; init; } = [];

    /// <summary>The <c>[[notify]]</c> entries, in file order.</summary>
    public IReadOnlyList<NotifyConfig> Notify { get; init; } = [];

    /// <summary>The <c>[healthcheck]</c> table, or null when the file has none.</summary>
    public HealthcheckConfig? Healthcheck { get; init; }
    public JournalConfig Journal { get; init; } = JournalConfig.Default;

    /// <summary>The <c>[http]</c> table: status page, metrics, event stream, control socket.</summary>
    public HttpConfig Http { get; init; } = HttpConfig.Default;

    /// <summary>Every heal target table, in the order of <see cref="Act.Heal.HealTargets.All"/>, then of the file.</summary>
    public IReadOnlyList<HealTargetConfig> HealTargets { get; init; } = [];

    /// <summary>The settings of every heal target of one kind, by the type its definition reads into.</summary>
    public IReadOnlyList<T> HealTargetsOf<T>() => [.. HealTargets.Select(t => t.Settings).OfType<T>()];
}

/// <summary>The <c>[watch]</c> table: which STUN servers to ask and how often.</summary>
public sealed record WatchConfig(
    IReadOnlyList<AddressSourceSpec> Servers,
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

    public WanWatcherOptions ToWatcherOptions() => new()
    {
        Targets = Servers,
        Interval = Interval,
        ProbeTimeout = ProbeTimeout,
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
