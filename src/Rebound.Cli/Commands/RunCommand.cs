using System.CommandLine;
using Rebound.Act.Heal;
using Rebound.Cli.Agent;

namespace Rebound.Cli.Commands;

/// <summary>
/// <c>rebound run --config FILE</c>: the agent (<see cref="AgentHost"/>) until SIGINT/SIGTERM; SIGHUP re-reads the
/// file and, only if it is valid, replaces the running session with one of the new configuration.
/// </summary>
internal static class RunCommand
{
    public const string CacheFileName = AgentSession.CacheFileName;

    public static Command Create(CliServices services)
    {
        var config = ConfigFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("run", $$"""
            Run the agent: keep DNS records, tunnels and flows working across a failover.

            The long-running service (normally started by systemd). It watches the public address and the
            upstream as 'rebound watch' does and acts on every confirmed change, as the configuration says:
            [[ddns]] records are brought to the new address and verified at the authoritative server; heal
            targets ({{string.Join(", ", HealTargets.All.Select(t => t.Header))}}) are repaired step by step;
            [[hook]] commands and URLs and [[notify]] services are told. Every event is printed (text, or
            JSON Lines with --json; fields in README: CLI contract), written to the journal ('rebound
            events') and served on the localhost HTTP listener ([http] listen, default 127.0.0.1:9464:
            status page, /status.json, /metrics, /events) and the control socket ('rebound status').
            Check the file first with 'rebound check-config FILE'.

            Signals:
              SIGINT, SIGTERM  stop: actions in flight finish, or are journaled as interrupted; then exit 0
              SIGHUP           reload the configuration file; an invalid file is rejected (config-rejected,
                               problems on stderr) and the running configuration is kept

            Exit codes:
              0  stopped by SIGINT or SIGTERM
              1  a runtime failure, e.g. the control socket is in use by another agent
              2  bad option, or a configuration file with problems (one line each on stderr); nothing ran

            Files:
              /etc/rebound/rebound.toml            the configuration (--config)
              /var/lib/rebound/journal.db          event journal, SQLite (read by 'rebound events')
              /var/lib/rebound/status.json         last saved status (read by 'rebound status')
              /var/lib/rebound/heal-state.json     heal engine state, kept across restarts
              /var/lib/rebound/ddns-cache.json     what each DNS record was last set to
              /run/rebound/control.sock            control socket, where [http] control_socket puts it
              The state directory is [state] directory, else $STATE_DIRECTORY, else /var/lib/rebound.

            Examples:
              rebound run -c /etc/rebound/rebound.toml
              rebound run -c ./lab.toml --json | jq -c 'select(.event | startswith("ddns"))'
              kill -HUP "$(pidof rebound)"        reload the configuration after editing it
            """)
        {
            config, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(config)!;
            if (ConfigFile.Load(path, services) is not { } loaded)
            {
                return ExitCodes.BadInput;
            }

            DescriptorLimit.RaiseToHard();
            await using var agent = await AgentHost.StartAsync(path, loaded, services, parse.GetValue(json), ct);
            await Foreground.RunAsync(services, agent.RunAsync, ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
