using Rebound.Act.Heal;
using Rebound.Configuration;

namespace Rebound.Act.Nebula;

/// <summary><c>[[nebula]]</c>: one Nebula node on this host kept working across failovers; reads into <see cref="NebulaTargetOptions"/>.</summary>
public sealed class NebulaDefinition : HealTargetDefinition<NebulaTargetOptions>
{
    public StringKey Config { get; } = new(
        "config",
        "The node's nebula config file; listen.port, lighthouse.hosts and static_host_map are read from it",
        "the path of a nebula config.yml")
    {
        Required = true,
        Check = text => text.Length == 0 || text.Contains('\0', StringComparison.Ordinal) ? "a non-empty path" : null,
        Example = ConfigKey.Toml("/etc/nebula/config.yml"),
    };

    public AddressListKey VerifyPing { get; } = new(
        "verify_ping",
        "Overlay addresses that answer ICMP echo when the tunnel works; default: the lighthouses' overlay addresses",
        "a non-empty array of overlay IP addresses",
        "an IP address")
    {
        Example = ConfigKey.Toml(["10.42.0.1"]),
    };

    public CommandKey RestartCommand { get; } = new(
        "restart_command",
        "The last rung: restart nebula with this (not repeated for the same public address within 10m); none: never restart",
        ["/usr/bin/systemctl", "restart", "nebula"]);

    public DurationKey VerifyDeadline { get; } = new("verify_deadline", "How long each rung gets to verify before the next one is tried")
    {
        Default = NebulaTargetOptions.DefaultVerifyDeadline,
        Max = TimeSpan.FromMinutes(5),
    };

    public DurationKey PingTimeout { get; } = new("ping_timeout", "One echo's wait through the overlay: raise it above the round trip of a slow (LTE) backup link")
    {
        Default = NebulaTargetOptions.DefaultPingTimeout,
        Max = TimeSpan.FromSeconds(10),
    };

    public override string Name => "nebula";

    public override bool Many => true;

    public override string Description =>
        "Heal a Nebula node on this host when its fixed listen port's flows are pinned to the dead uplink. One entry per "
        + "node. Ladder: hop-port (its flows leave from another source port, nebula untouched), then restart_command when given.";

    public override IReadOnlyList<ConfigKey> Keys => [Config, VerifyPing, RestartCommand, VerifyDeadline, PingTimeout];

    internal override NebulaTargetOptions? ReadSettings(ConfigSection s, IReadOnlyList<NebulaTargetOptions> earlier)
    {
        var path = Config.Read(s);
        var verifyPing = VerifyPing.Read(s);
        var restart = RestartCommand.Read(s);
        var deadline = VerifyDeadline.Read(s);
        var pingTimeout = PingTimeout.Read(s);
        if (path is null)
            return null;
        var full = s.Reader.FullPath(path);
        if (earlier.Any(e => e.Config.Path == full))
        {
            s.Problem(Config.Name, $"a nebula config not configured twice; {ConfigReader.Clip(path)} already is");
            return null;
        }

        var problems = new List<NebulaConfigProblem>();
        var config = NebulaConfig.Read(full, problems);
        foreach (var problem in problems)
        {
            // The file as a whole: at our line that names it. Inside it: at its own line.
            if (problem.Line == 0)
                s.Problem(Config.Name, problem.Expected);
            else
                s.Reader.Problems.Add(new ConfigProblem(full, problem.Line, problem.Column, problem.Key, problem.Expected));
        }

        if (config is null)
            return null;
        if (verifyPing.Count == 0 && config.Lighthouses.Count == 0)
        {
            s.Problem(Config.Name, $"verify_ping here, since {ConfigReader.Clip(path)} lists no lighthouse.hosts to ping"
                + (config.AmLighthouse ? " (it is a lighthouse)" : ""));
            return null;
        }

        return new NebulaTargetOptions
        {
            Config = config,
            VerifyPing = verifyPing,
            RestartCommand = restart,
            VerifyDeadline = deadline ?? NebulaTargetOptions.DefaultVerifyDeadline,
            PingTimeout = pingTimeout ?? NebulaTargetOptions.DefaultPingTimeout,
        };
    }

    internal override string Describe(NebulaTargetOptions o) =>
        $"{o.Config.Path}: udp port {o.Config.ListenPort}, {o.Config.Lighthouses.Count} lighthouse(s); verified by ping "
        + $"{string.Join(", ", o.PingTargets)} (timeout {ConfigDuration.Format(o.PingTimeout)}) within {ConfigDuration.Format(o.VerifyDeadline)}; "
        + (o.RestartCommand is { } command ? $"restart with {command[0]}" : "no restart");

    internal override IHealTarget Create(NebulaTargetOptions settings, TimeProvider time) => NebulaTarget.Create(settings, time);
}
