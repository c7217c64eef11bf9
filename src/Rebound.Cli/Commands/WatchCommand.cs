using System.CommandLine;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Sense.Netlink;
using Rebound.Sense;
using Rebound.Sense.Sources;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound watch</c>: runs the watcher until SIGINT/SIGTERM and prints its events.</summary>
internal static class WatchCommand
{
    public static Command Create(CliServices services)
    {
        var servers = CommonOptions.Servers();
        var interval = CommonOptions.Duration("--interval", "Time between routine probe rounds, e.g. 1s with your own STUN servers. Default: 5s.");
        var timeout = CommonOptions.Duration("--timeout", "The longest a probe waits (the adaptive timeout's ceiling), retransmitting meanwhile. Default: 1s.");
        var confirmServers = CommonOptions.Count("--confirm-servers", "Believe a new address at once when this many servers report it in one round.", 2);
        var confirmRounds = CommonOptions.Count("--confirm-rounds", "Otherwise believe it after this many consecutive rounds.", 2);
        var json = CommonOptions.Json();
        var command = new Command("watch", """
            Watch the public address and the upstream; print an event for each confirmed change.

            Asks one STUN server each --interval (the servers in turn), from a fresh socket, and keeps the
            current public address per address family; an answer that differs is cross-checked at once with
            every other source (STUN, HTTP(S) echoes, DNS whoamis; HTTP and DNS are otherwise asked rarely).
            A new address is believed when --confirm-servers sources report it, or when it is the majority
            answer in --confirm-rounds consecutive rounds. When no source reports the old address any more but
            they disagree (a pooling carrier NAT), the change is reported as ambiguous. The upstream is lost
            only when every kind of source is silent twice; one kind failing is sources-degraded. The probe
            timeout adapts to the measured round-trip time (--timeout is its ceiling). Anything suspicious
            (an unconfirmed address, a silent round, a NAT-PMP/PCP announcement) starts a confirmation burst,
            and a local address/route change a round at once. Events: started, public-address-changed,
            upstream-lost, upstream-restored, local-network-changed, sources-degraded, sources-recovered
            (fields in README: CLI contract).
            Nothing on the host is changed; 'rebound run' is what acts on these events.

            Runs until SIGINT or SIGTERM, or until whoever reads its output goes away ('| head -1').
            The default public sources are polled every 5s; use your own servers for --interval 1s.

            Exit codes:
              0  stopped by SIGINT or SIGTERM, or its output was closed
              1  a runtime failure, e.g. a socket could not be opened
              2  bad option, or a --server name that does not resolve; nothing was started

            Examples:
              rebound watch
              rebound watch -s 203.0.113.10 -s 203.0.113.11 --interval 1s
              rebound watch --json | jq -c 'select(.event == "public-address-changed")'
              rebound watch --json | head -1        print the current addresses once, then exit
            """)
        {
            servers, interval, timeout, confirmServers, confirmRounds, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(servers) ?? [];
            foreach (var target in given.OfType<StunTarget>().Where(t => t.Literal is null))
            {
                var (server, error) = await services.Resolve(target, ct);
                if (server is null)
                {
                    throw new UsageException($"--server {target.Name}: {error}");
                }
            }

            var settings = new WatchSettings(
                new WanWatcherOptions
                {
                    Targets = given.Count > 0 ? given : AddressSources.PublicDefaults,
                    Interval = parse.GetValue(interval) ?? WanWatcherOptions.DefaultInterval,
                    ProbeTimeout = parse.GetValue(timeout) ?? WatchConfig.DefaultProbeTimeout,
                    ConfirmServers = parse.GetValue(confirmServers),
                    ConfirmRounds = parse.GetValue(confirmRounds),
                },
                parse.GetValue(timeout) ?? WatchConfig.DefaultProbeTimeout);
            await using var runtime = await services.CreateWatcher(settings, ct);
            foreach (var warning in runtime.Warnings)
            {
                await services.Stderr.WriteLineAsync($"rebound: warning: {warning}");
            }

            var printer = new EventPrinter(services.Stdout, parse.GetValue(json));
            await Foreground.RunAsync(services, stop => runtime.Watcher.RunAsync((e, _) => printer.Print(e), stop.Token), ct);

            return ExitCodes.Success;
        });
        return command;
    }
}

internal sealed record WatchSettings(WanWatcherOptions Options, TimeSpan ProbeTimeout)
{
    /// <summary>Told about every probe the watcher makes (the agent's metrics); null for none.</summary>
    public Action<Rebound.Sense.Stun.StunProbeResult>? OnProbe { get; init; }
}

/// <summary>The watcher with the sources it owns, disposed together.</summary>
internal sealed class WanWatcherRuntime(WanWatcher watcher, IReadOnlyList<string> warnings, params IAsyncDisposable[] owned) : IAsyncDisposable
{
    public WanWatcher Watcher { get; } = watcher;

    public IReadOnlyList<string> Warnings { get; } = warnings;

    /// <summary>The host's own view of its network, when netlink could be opened.</summary>
    public ILocalNetworkMonitor? LocalNetwork { get; init; }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in owned)
        {
            await d.DisposeAsync();
        }

        Watcher.Dispose();
    }
}
