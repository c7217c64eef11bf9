using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Sources;

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
        "Address sources: STUN servers (one asked per round, in turn), HTTP(S) echoes and DNS whoamis (asked less often while STUN answers), gateway hints; of different providers, so one cannot move the state alone",
        $"an array of {AddressSourceSpec.Grammar}; STUN port {StunTarget.DefaultPort} if omitted")
    {
        Default = ConfigKey.Toml(AddressSources.PublicDefaults.Select(s => s.Name)),
    };

    public DurationKey Interval { get; } = new("interval", "Time between routine probe rounds: be polite to public servers; with your own (coturn) \"1s\" is fine")
    {
        Default = Defaults.Interval,
        Max = MaxDuration,
    };

    public DurationKey Timeout { get; } = new("timeout", "The longest one probe waits for its answer; it adapts to the measured round-trip time (at least 250 ms) and doubles after a silence")
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
        "How the public address is watched: every interval, one STUN binding request from a fresh socket (the servers in turn), cross-checked at once with the other sources when the answer differs. "
        + "A change is believed only when the servers confirm it.";

    public override IReadOnlyList<ConfigKey> Keys => [Servers, Interval, Timeout, ConfirmServers, ConfirmRounds, LossRounds, Ipv6Interface];

    public override IReadOnlyList<ConfigKey> ActiveInSample => [Servers, Interval];

    internal WatchConfig Read(ConfigSection s)
    {
        IReadOnlyList<AddressSourceSpec> servers = AddressSources.PublicDefaults;
        if (s.Strings(Servers.Name, "a non-empty array of address sources like \"203.0.113.10:3478\" or \"https://echo.example/\"") is { } items)
        {
            var parsed = new List<AddressSourceSpec>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (text, node) in items)
            {
                if (!AddressSourceSpec.TryParse(text, out var target, out var error))
                    s.Problem(node, Servers.Name, $"{AddressSourceSpec.Grammar} ({error})");
                else if (!seen.Add(target.Name))
                    s.Problem(node, Servers.Name, $"each server once (a server listed twice would confirm its own answer); {target.Name} is listed twice");
                else
                    parsed.Add(target);
            }

            if (parsed.Count > 0 && parsed.All(p => p.Kind.IsGatewayHint()))
                s.Problem(Servers.Name, "at least one STUN, HTTP or DNS source: gateway hints (natpmp, upnp) cannot decide alone");
            servers = parsed;
        }

        var confirmServers = ConfirmServers.Read(s)!.Value;
        var deciding = servers.Count(p => !p.Kind.IsGatewayHint());
        if (s.Node(ConfirmServers.Name) is not null && confirmServers > deciding && deciding > 0)
            s.Problem(ConfirmServers.Name, $"at most the number of servers that are not gateway hints ({deciding})");
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
