using Rebound.Act.Heal;
using Rebound.Configuration;
using Tomlyn.Syntax;

namespace Rebound.Act.WireGuard;

/// <summary><c>[[wireguard]]</c>: one WireGuard interface kept working across failovers; reads into <see cref="WireGuardTargetOptions"/>.</summary>
public sealed class WireGuardDefinition : HealTargetDefinition<WireGuardTargetOptions>
{
    public StringKey Interface { get; } = new("interface", "The interface: wireguard-go over its UAPI socket, or the kernel's through 'wg'", "a WireGuard interface name like \"wg0\"")
    {
        Required = true,
        Check = ConfigChecks.InterfaceName,
        Example = ConfigKey.Toml("wg0"),
    };

    public AddressListKey VerifyPing { get; } = new(
        "verify_ping",
        "Tunnel addresses that answer ICMP echo when the tunnel works; without them the handshake or rx bytes must advance",
        "a non-empty array of tunnel IP addresses",
        "an IP address")
    {
        Example = ConfigKey.Toml(["10.99.0.1"]),
    };

    public CustomKey Endpoints { get; } = new(
        "endpoints",
        "Peers dialed by name: public key to host:port, re-resolved when due; default: the Endpoint = lines of config_file",
        "a table of peer public keys (base64) to \"host:port\"")
    {
        Example = "{ \"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\" = \"home.example.net:51820\" }",
    };

    public StringKey ConfigFile { get; } = new(
        "config_file",
        "A wg-quick file whose [Peer] Endpoint = lines name the peers' hosts; default /etc/wireguard/IF.conf when it exists",
        "the path of a wg-quick configuration file")
    {
        Check = text => text.Length == 0 ? "a non-empty path" : null,
        Example = ConfigKey.Toml("/etc/wireguard/wg0.conf"),
    };

    public BoolKey RestorePort { get; } = new(
        "restore_port",
        $"After a port rotation, go back to the configured listen port once that is safe ({ConfigDuration.Format(WireGuardTargetOptions.DefaultRestorePortAfter)} later)",
        false);

    public CommandKey RestartCommand { get; } = new(
        "restart_command",
        "The last rung: restart the interface with this; none: never restart",
        ["/usr/bin/systemctl", "restart", "wg-quick@wg0"]);

    public DurationKey VerifyDeadline { get; } = new("verify_deadline", "How long each rung gets to verify before the next one is tried")
    {
        Default = WireGuardTargetOptions.DefaultVerifyDeadline,
        Max = TimeSpan.FromMinutes(5),
    };

    public DurationKey ResolveInterval { get; } = new("resolve_interval", "Peer host names are resolved again at least this often, even without an event")
    {
        Default = WireGuardTargetOptions.DefaultResolveInterval,
        Max = TimeSpan.FromHours(24),
    };

    public DurationKey PingTimeout { get; } = new("ping_timeout", "One echo's wait: raise it above the round trip of a slow (LTE) backup link")
    {
        Default = WireGuardTargetOptions.DefaultPingTimeout,
        Max = TimeSpan.FromSeconds(10),
    };

    public override string Name => "wireguard";

    public override bool Many => true;

    public override string Description =>
        "Heal a WireGuard interface when its flow is pinned to the dead uplink, its peer's DNS name moved, or our address "
        + "changed. One entry per interface. Ladder: keepalive, reresolve, rotate-port, then restart_command when given.";

    public override IReadOnlyList<ConfigKey> Keys => [Interface, VerifyPing, Endpoints, ConfigFile, RestorePort, RestartCommand, VerifyDeadline, ResolveInterval, PingTimeout];

    internal override WireGuardTargetOptions? ReadSettings(ConfigSection s, IReadOnlyList<WireGuardTargetOptions> earlier)
    {
        var name = Interface.Read(s);
        if (name is not null && earlier.Any(e => e.Interface == name))
            s.Problem(Interface.Name, $"an interface not configured twice; {ConfigReader.Clip(name)} already is");
        var configFile = ConfigFile.Read(s);
        var options = name is null ? null : new WireGuardTargetOptions
        {
            Interface = name,
            VerifyPing = VerifyPing.Read(s),
            Endpoints = ReadEndpoints(s),
            ConfigFile = configFile is null ? null : s.Reader.FullPath(configFile),
            RestorePort = RestorePort.Read(s),
            RestartCommand = RestartCommand.Read(s),
            VerifyDeadline = VerifyDeadline.Read(s)!.Value,
            ResolveInterval = ResolveInterval.Read(s)!.Value,
            PingTimeout = PingTimeout.Read(s)!.Value,
        };
        return options;
    }

    internal override string Describe(WireGuardTargetOptions o) =>
        $"{o.Interface}; verified by {(o.VerifyPing.Count > 0 ? $"ping {string.Join(", ", o.VerifyPing)} (timeout {ConfigDuration.Format(o.PingTimeout)})" : "handshake and rx")} "
        + $"within {ConfigDuration.Format(o.VerifyDeadline)}; peer names from "
        + (o.Endpoints.Count > 0 ? $"{o.Endpoints.Count} endpoints" : o.ConfigFile ?? $"/etc/wireguard/{o.Interface}.conf if present")
        + $", resolved every {ConfigDuration.Format(o.ResolveInterval)}; "
        + (o.RestorePort ? "listen port restored when safe; " : "")
        + (o.RestartCommand is { } command ? $"restart with {command[0]}" : "no restart");

    internal override IHealTarget Create(WireGuardTargetOptions settings, TimeProvider time) => WireGuardTarget.Create(settings, time);

    private Dictionary<string, string> ReadEndpoints(ConfigSection s)
    {
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        if (s.SubTable(Endpoints.Name) is not { } table)
            return endpoints;
        foreach (var (key, value) in table.Items)
        {
            var where = $"{Endpoints.Name}.{ConfigReader.Clip(key)}";
            if (!WireGuardKeys.IsValidBase64Key(key))
            {
                s.Problem(value, where, "a peer public key in base64 (44 characters) as the key");
            }
            else if (value is not TomlValueNode { Syntax: StringValueSyntax { Value: { } endpoint } } || !HostPort.TryParse(endpoint, defaultPort: null, out _, out _))
            {
                var found = value is TomlValueNode { Syntax: StringValueSyntax { Value: { } text } } ? ConfigReader.Clip(text) : value.Describe();
                s.Problem(value, where, $"\"host:port\" (host name or address, port 1-65535), found {found}");
            }
            else
            {
                endpoints[key] = endpoint;
            }
        }

        return endpoints;
    }
}
