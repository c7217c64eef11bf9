using Rebound.Act.Heal;
using Rebound.Act.Remedies;
using Rebound.Act.Router;
using Rebound.Act.Systemd;
using Rebound.Configuration;

namespace Rebound.Act.Tailscale;

/// <summary><c>[tailscale]</c>: make tailscaled notice a failover through its LocalAPI; reads into <see cref="TailscaleTargetOptions"/>.</summary>
public sealed class TailscaleDefinition : HealTargetDefinition<TailscaleTargetOptions>
{
    private static readonly TailscaleTargetOptions Defaults = new();

    public BoolKey Enabled { get; } = new("enabled", "false keeps the table (checked) but heals nothing", Defaults.Enabled);

    public StringKey Socket { get; } = new("socket", "tailscaled's LocalAPI socket", "the absolute path of tailscaled's socket")
    {
        Default = Defaults.Socket,
        Check = text => ConfigChecks.AbsolutePath(text) is null ? null : "the absolute path of tailscaled's socket",
    };

    public StringKey Unit { get; } = new("unit", "The systemd unit the restart rung restarts over systemd's D-Bus API", "a systemd unit name like \"tailscaled.service\"")
    {
        Default = Defaults.Unit,
        Check = text => text.Length is > 0 and <= 255 && text.Contains('.', StringComparison.Ordinal) && !text.Any(c => char.IsWhiteSpace(c) || c == '/')
            ? null
            : "a systemd unit name like \"tailscaled.service\"",
    };

    public CommandKey RestartCommand { get; } = new(
        "restart_command",
        "Restart with this command instead of asking systemd (e.g. without systemd)",
        ["/usr/sbin/rc-service", "tailscale", "restart"]);

    public AddressListKey PingPeers { get; } = new(
        "ping_peers",
        "Tailscale IPs of peers that must answer a disco ping before a heal counts as verified",
        "an array of peers' Tailscale IPs like [\"100.64.0.2\"]",
        "Tailscale IP addresses like \"100.64.0.2\" or \"fd7a:115c:a1e0::2\"")
    {
        UniqueNoun = "peer",
        Example = ConfigKey.Toml(["100.64.0.2"]),
    };

    public IntegerKey Port { get; } = new(
        "port",
        "tailscaled's UDP port (its --port; the packages set 41641), for hop-port; default: found from its sockets and Self.Addrs",
        1,
        65535)
    {
        Example = "41641",
    };

    /// <summary>Beyond ten minutes the heal engine would hold on one target too long.</summary>
    public DurationKey VerifyDeadline { get; } = new("verify_deadline", "How long each rung gets to show before the next is tried (tailscaled re-STUNs every 20-26 s)")
    {
        Default = Defaults.VerifyDeadline,
        Max = TimeSpan.FromMinutes(10),
    };

    public override string Name => "tailscale";

    public override string Description =>
        "Heal tailscaled after a failover without relying on it: its TCP connections silent since the change are destroyed "
        + "(reset-tcp: control and DERP reconnect at once), its UDP port's flows leave from another source port (hop-port, "
        + "then restun), then a restart. Verified from its LocalAPI status.";

    public override IReadOnlyList<ConfigKey> Keys => [Enabled, Socket, Unit, RestartCommand, PingPeers, Port, VerifyDeadline];

    internal override TailscaleTargetOptions ReadSettings(ConfigSection s, IReadOnlyList<TailscaleTargetOptions> earlier) => new()
    {
        Enabled = Enabled.Read(s),
        Socket = Socket.Read(s) ?? Defaults.Socket,
        Unit = Unit.Read(s) ?? Defaults.Unit,
        RestartCommand = RestartCommand.Read(s),
        PingPeers = PingPeers.Read(s),
        Port = Port.Read(s),
        VerifyDeadline = VerifyDeadline.Read(s)!.Value,
    };

    internal override string Describe(TailscaleTargetOptions o) =>
        !o.Enabled ? "off (enabled = false)"
        : $"tailscaled at {o.Socket}; udp port {(o.Port is { } port ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "from its sockets")}; restart {(o.RestartCommand is { } command ? $"with {command[0]}" : $"{o.Unit} over D-Bus")}; "
          + $"verified {(o.PingPeers.Count > 0 ? $"by disco ping to {string.Join(", ", o.PingPeers)}" : "by its status")} within {ConfigDuration.Format(o.VerifyDeadline)}";

    /// <summary>The LocalAPI client, hop-port (nft, ctnetlink), reset-tcp (sock_diag), and the restart rung: the command when given, else systemd over D-Bus.</summary>
    internal override IHealTarget? Create(TailscaleTargetOptions options, TimeProvider time)
    {
        if (!options.Enabled)
            return null;
        var client = new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = options.Socket, TimeProvider = time });
        IUnitRestarter restarter = options.RestartCommand is { Count: > 0 } command
            ? new CommandUnitRestarter(command, SystemdUnitRestarterOptions.DefaultTimeout, time)
            : new SystemdUnitRestarter(new SystemdUnitRestarterOptions { TimeProvider = time });
        var conntrack = new NetlinkHostConntrack(new NetlinkConntrackTable(timeProvider: time));
        return new TailscaleTarget(client, restarter, options,
            new PortHopper(timeProvider: time, conntrack: conntrack), new SockDiagTcpResetter(timeProvider: time), timeProvider: time);
    }
}
