using Rebound.Act.Heal;
using Rebound.Configuration;

namespace Rebound.Act.Flow;

/// <summary><c>[[flow]]</c>: the UDP flows (and TCP connections) of any daemon, healed without touching it; reads into <see cref="FlowTargetOptions"/>.</summary>
public sealed class FlowDefinition : HealTargetDefinition<FlowTargetOptions>
{
    public StringKey FlowName { get; } = new("name", "The entry's name; the target is flow:NAME in events and status", "a name of letters, digits, '-', '_' or '.' (1-64)")
    {
        Required = true,
        Check = text => text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : "a name of letters, digits, '-', '_' or '.' (1-64)",
        Example = ConfigKey.Toml("game-server"),
    };

    public PortListKey LocalPorts { get; } = new(
        "local_ports",
        "The daemon's fixed local UDP ports: after a failover their flows are hopped to a new source port (hop-port)",
        "a non-empty array of port numbers")
    {
        Example = "[27015]",
    };

    public PortListKey ResetTcpPorts { get; } = new(
        "reset_tcp_ports",
        "Remote TCP ports whose connections, silent since a confirmed address change, are destroyed so the client reconnects (reset-tcp)",
        "a non-empty array of port numbers")
    {
        Example = "[443]",
    };

    public AddressListKey VerifyPing { get; } = new(
        "verify_ping",
        "Addresses that answer ICMP echo through the flow when it works; default: the flow sees replies again (host conntrack)",
        "a non-empty array of IP addresses",
        "an IP address")
    {
        Example = ConfigKey.Toml(["10.0.0.1"]),
    };

    public CommandKey RestartCommand { get; } = new(
        "restart_command",
        "The last rung: restart the daemon with this; none: never restart",
        ["/usr/bin/systemctl", "restart", "game-server"]);

    public DurationKey VerifyDeadline { get; } = new("verify_deadline", "How long each rung gets to verify before the next one is tried")
    {
        Default = FlowTargetOptions.DefaultVerifyDeadline,
        Max = TimeSpan.FromMinutes(5),
    };

    public DurationKey HopKeep { get; } = new(
        "hop_keep",
        "How long new flows from the ports keep being hopped after a hop (until the router's pinned entry has expired); healed flows stay hopped")
    {
        Default = FlowTargetOptions.DefaultHopKeep,
        Max = TimeSpan.FromHours(1),
    };

    public DurationKey PingTimeout { get; } = new("ping_timeout", "One echo's wait for verify_ping")
    {
        Default = FlowTargetOptions.DefaultPingTimeout,
        Max = TimeSpan.FromSeconds(10),
    };

    public override string Name => "flow";

    public override bool Many => true;

    public override string Description =>
        "Heal the flows of any UDP daemon Rebound knows nothing about, without touching it: its fixed local ports are "
        + "hopped to a new source port in Rebound's own nftables table (inet rebound_hop), its TCP connections silent since "
        + "an address change are destroyed, then restart_command. One entry per daemon. Ladder: hop-port, reset-tcp, restart.";

    public override IReadOnlyList<ConfigKey> Keys => [FlowName, LocalPorts, ResetTcpPorts, VerifyPing, RestartCommand, VerifyDeadline, HopKeep, PingTimeout];

    internal override FlowTargetOptions? ReadSettings(ConfigSection s, IReadOnlyList<FlowTargetOptions> earlier)
    {
        var name = FlowName.Read(s);
        if (name is not null && earlier.Any(e => e.Name == name))
            s.Problem(FlowName.Name, $"a name not used twice; {ConfigReader.Clip(name)} already is");
        var ports = LocalPorts.Read(s);
        var tcp = ResetTcpPorts.Read(s);
        foreach (var port in ports.Where(p => earlier.Any(e => e.LocalPorts.Contains(p))))
            s.Problem(LocalPorts.Name, $"ports not healed by two entries; {port} already is");
        if (ports.Count == 0 && tcp.Count == 0 && s.Node(LocalPorts.Name) is null && s.Node(ResetTcpPorts.Name) is null)
            s.Problem(LocalPorts.Name, "a non-empty array of port numbers (missing; or give reset_tcp_ports)");
        var options = name is null ? null : new FlowTargetOptions
        {
            Name = name,
            LocalPorts = ports,
            ResetTcpPorts = tcp,
            VerifyPing = VerifyPing.Read(s),
            RestartCommand = RestartCommand.Read(s),
            VerifyDeadline = VerifyDeadline.Read(s)!.Value,
            HopKeep = HopKeep.Read(s)!.Value,
            PingTimeout = PingTimeout.Read(s)!.Value,
        };
        return options;
    }

    internal override string Describe(FlowTargetOptions o) =>
        $"{o.Name}; "
        + (o.LocalPorts.Count > 0 ? $"udp port {string.Join(", ", o.LocalPorts)} hopped when pinned (kept {ConfigDuration.Format(o.HopKeep)}); " : "")
        + (o.ResetTcpPorts.Count > 0 ? $"tcp to port {string.Join(", ", o.ResetTcpPorts)} reset after an address change; " : "")
        + $"verified by {(o.VerifyPing.Count > 0 ? $"ping {string.Join(", ", o.VerifyPing)}" : "replies in the host's conntrack")} within {ConfigDuration.Format(o.VerifyDeadline)}; "
        + (o.RestartCommand is { } command ? $"restart with {command[0]}" : "no restart");

    internal override IHealTarget Create(FlowTargetOptions settings, TimeProvider time) => FlowTarget.Create(settings, time);
}
