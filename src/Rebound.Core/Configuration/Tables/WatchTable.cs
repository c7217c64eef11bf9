using Rebound.Decide;
using Rebound.Sense;

namespace Rebound.Configuration;

/// <summary><c>[watch]</c>: which STUN servers tell the public address, and how often they are asked.</summary>
public sealed class WatchTable : ConfigTable
{
    /// <summary>Probe interval and timeout beyond a day are a mistake (and beyond what timers accept).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    private static readonly WanWatcherOptions Defaults = new();

    // Last: the static fields above are needed by the instance.
    public static readonly WatchTable Instance = new();

    public CustomKey Servers { get; } = new(
        "servers",
        "STUN servers, probed concurrently; two of different providers, so one cannot move the state alone",
        $"an array of HOST, HOST:PORT or [IPV6]:PORT (port {StunTarget.DefaultPort} if omitted)")
    {
        Default = ConfigKey.Toml(StunTarget.PublicDefaults.Select(s => s.Name)),
    };

    public DurationKey Interval { get; } = new("interval", "Time between routine probe rounds: be polite to public servers; with your own (coturn) \"1s\" is fine")
    {
        Default = Defaults.Interval,
        Max = MaxDuration,
    };

    public DurationKey Timeout { get; } = new("timeout", "How long one probe waits for its answer, retransmitting at 250 ms and 750 ms")
    {
        Default = WatchConfig.DefaultProbeTimeout,
        Max = MaxDuration,
    };

    public IntegerKey ConfirmServers { get; } = new("confirm_servers", "A new address is believed at once when this many servers report it in one round", 1, 16)
    {
        Default = Defaults.ConfirmServers,
    };

    public IntegerKey ConfirmRounds { get; } = new("confirm_rounds", "Otherwise it is believed after this many consecutive rounds with the same majority answer", 1, 100)
    {
        Default = Defaults.ConfirmRounds,
    };

    public IntegerKey LossRounds { get; } = new("loss_rounds", "Rounds without any answer before the upstream counts as lost (upstream-lost)", 1, 100)
    {
        Default = Defaults.LossRounds,
    };

    public StringKey Ipv6Interface { get; } = new(
        "ipv6_interface",
        "Publish this interface's global IPv6 address as the public one instead of asking STUN over IPv6 (none by default)",
        "the name of the interface whose global IPv6 address is the public one")
    {
        Check = ConfigChecks.InterfaceName,
        Example = ConfigKey.Toml("eth0"),
    };

    public override string Name => "watch";

    public override string Description =>
        "How the public address is watched: every interval, a STUN binding request from a fresh socket to each server. "
        + "A change is believed only when the servers confirm it.";

    public override IReadOnlyList<ConfigKey> Keys => [Servers, Interval, Timeout, ConfirmServers, ConfirmRounds, LossRounds, Ipv6Interface];

    public override IReadOnlyList<ConfigKey> ActiveInSample => [Servers, Interval];

    internal WatchConfig Read(ConfigSection s)
    {
        IReadOnlyList<StunTarget> servers = StunTarget.PublicDefaults;
        if (s.Strings(Servers.Name, "a non-empty array of STUN servers like \"203.0.113.10:3478\"") is { } items)
        {
            var parsed = new List<StunTarget>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (text, node) in items)
            {
                if (!StunTarget.TryParse(text, out var target, out var error))
                    s.Problem(node, Servers.Name, $"HOST, HOST:PORT or [IPV6]:PORT ({error})");
                else if (!seen.Add(target.Name))
                    s.Problem(node, Servers.Name, $"each server once (a server listed twice would confirm its own answer); {target.Name} is listed twice");
                else
                    parsed.Add(target);
            }

            servers = parsed;
        }

        var confirmServers = ConfirmServers.Read(s)!.Value;
        if (s.Node(ConfirmServers.Name) is not null && confirmServers > servers.Count && servers.Count > 0)
            s.Problem(ConfirmServers.Name, $"at most the number of servers ({servers.Count})");
        var watch = new WatchConfig(servers, Interval.Read(s)!.Value, Timeout.Read(s)!.Value, confirmServers, ConfirmRounds.Read(s)!.Value, LossRounds.Read(s)!.Value)
        {
            Ipv6Interface = Ipv6Interface.Read(s),
        };
        s.RejectUnknown(Keys);
        return watch;
    }

    internal static string Describe(WatchConfig watch) =>
        $"watch: {string.Join(", ", watch.Servers.Select(s => s.Name))} every {ConfigDuration.Format(watch.Interval)}"
        + $" (timeout {ConfigDuration.Format(watch.ProbeTimeout)}; confirm with {watch.ConfirmServers} servers or {watch.ConfirmRounds} rounds; lost after {watch.LossRounds} rounds)"
        + (watch.Ipv6Interface is { } iface ? $"; IPv6 address from {iface}" : "");
}
