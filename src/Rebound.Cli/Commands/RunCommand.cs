using System.CommandLine;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Rebound.Cli.Agent;
using Rebound.Cli.Service;
using Rebound.Decide;
using Rebound.Configuration;
using Rebound.Record;
using Rebound.Record.Journal;
using Rebound.Record.Metrics;
using Rebound.Record.Status;

namespace Rebound.Cli.Commands;

/// <summary>
/// <c>rebound run --config FILE</c>: the agent. Runs sessions (<see cref="AgentSession"/>) of the
/// configuration until SIGINT/SIGTERM; SIGHUP re-reads the file and, only if it is valid, replaces the
/// running session with one of the new configuration.
/// </summary>
internal static class RunCommand
{
    public const string CacheFileName = AgentSession.CacheFileName;

    public static Command Create(CliServices services)
    {
        var config = ConfigFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("run", """
            Run the agent: keep DNS records, tunnels and flows working across a failover.

            The long-running service (normally started by systemd). It watches the public address and the
            upstream as 'rebound watch' does and acts on every confirmed change, as the configuration says:
            [[ddns]] records are brought to the new address and verified at the authoritative server; heal
            targets ([[wireguard]], [tailscale], [router] conntrack flush) are repaired step by step;
            [[hook]] commands and URLs are told. Every event is printed (text, or JSON Lines with --json;
            fields in README: CLI contract), written to the journal ('rebound events') and served on the
            localhost HTTP listener ([http] listen, default 127.0.0.1:9464: status page, /status.json,
            /metrics, /events) and the control socket ('rebound status'). Check the file first with
            'rebound check-config FILE'.

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
            var loaded = ConfigFile.Load(path, services);
            if (loaded is null)
            {
                return ExitCodes.BadInput;
            }

            var printer = new EventPrinter(services.Stdout, parse.GetValue(json));
            var hub = new EventHub();
            var reloads = Channel.CreateUnbounded<bool>();
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                reloads.Writer.TryWrite(true);
            });

            // systemd: READY=1 once the watcher has its first answers, WATCHDOG=1 only while rounds keep
            // completing, RELOADING=1/READY=1 around SIGHUP, STOPPING=1. Nothing without NOTIFY_SOCKET.
            using var notifier = SystemdNotifier.FromEnvironment(TimeProvider.System);
            var beacon = new LivenessBeacon(Liveness(loaded), TimeProvider.System);
            var watchdogStarted = false;
            var log = ServiceLog.ForStderr(services.Stderr);
            using var trimmer = new HeapTrimmer(TimeProvider.System);

            void Emit(RecordedEvent e)
            {
                printer.Print(e);
                hub.Publish(e);
                if (e.Source is WatcherStarted started)
                {
                    notifier.Ready($"watching {started.Servers.Count} STUN server(s); public IPv4 {started.Ipv4?.ToString() ?? "unknown"}");
                    if (!watchdogStarted)
                    {
                        watchdogStarted = true;
                        notifier.StartWatchdog(() => Volatile.Read(ref beacon).IsAlive());
                    }
                }
            }

            void Warn(string message) => log.Warning(message);

            hub.SinkFailed = (sink, ex) => Warn($"{sink.GetType().Name}: {ex.Message}");

            // The journal outlives reloads; a journal that cannot be opened costs only the record (one warning).
            await using var journal = EventJournal.Start(EventJournalOptions.InStateDirectory(loaded.State.Directory, loaded.Journal), TimeProvider.System, Warn);
            hub.Add(journal);

            // What the status page, `rebound status` and Prometheus read; kept across reloads.
            var status = new StatusBoard(ReboundVersion.Text, TimeProvider.System);
            var metrics = new MetricsRegistry(ReboundVersion.Text);
            hub.Add(status);
            hub.Add(metrics);
            await using var statusFile = new StatusFile(status, loaded.State.Directory, Warn);
            hub.Add(statusFile);
            var observers = new AgentObservers(
                latency =>
                {
                    status.ObserveDetection(latency);
                    metrics.ObserveDetection(latency);
                },
                probe =>
                {
                    metrics.ObserveProbe(probe.BytesSent, probe.BytesReceived, probe.Succeeded);
                    Volatile.Read(ref beacon).Beat();
                });
            await using var http = new HttpSurface(hub, status, metrics, journal, Warn);
            await http.ApplyAsync(loaded.Http, ct);
            await Foreground.RunAsync(services, async stop =>
            {
                using var stopping = stop.Token.Register(() => notifier.Stopping("stopping: letting actions in flight finish"));
                ReboundConfig current = loaded;
                ReboundConfig? previous = null;
                while (!stop.IsCancellationRequested)
                {
                    AgentSession session;
                    Volatile.Write(ref beacon, new LivenessBeacon(Liveness(current), TimeProvider.System));
                    try
                    {
                        session = await AgentSession.StartAsync(current, services, hub, observers, Emit, Warn, stop.Token);
                    }
                    catch (Exception ex) when (previous is not null && ex is UsageException or InvalidOperationException)
                    {
                        // The new file parsed but cannot run here (a server name that does not resolve):
                        // the previous configuration comes back rather than no agent at all.
                        Emit(new AgentNotice(TimeProvider.System.GetUtcNow(), "config-rejected", $"{path}: {ex.Message}; back to the previous configuration").ToRecorded());
                        current = previous;
                        previous = null;
                        continue;
                    }

                    // Only a configuration whose session started gets to change the HTTP surface.
                    await http.ApplyAsync(current.Http, stop.Token);
                    ReboundConfig? next;
                    await using (session)
                    {
                        using var sessionStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                        var running = session.RunAsync(sessionStop);
                        next = await NextConfigurationAsync(path, services, notifier, reloads.Reader, running, Emit, stop.Token);
                        await sessionStop.CancelAsync();
                        await running;
                    }

                    if (next is null)
                    {
                        break;
                    }

                    previous = current;
                    current = next;
                }
            }, ct);

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>How long without a completed probe before the watchdog stops vouching for us: three rounds and a timeout.</summary>
    private static TimeSpan Liveness(ReboundConfig config) => (3 * config.Watch.Interval) + config.Watch.ProbeTimeout;

    /// <summary>
    /// Waits for the session to end (null: stop) or for a SIGHUP with a valid file (the new configuration).
    /// An invalid file is reported and the running session carries on untouched.
    /// </summary>
    private static async Task<ReboundConfig?> NextConfigurationAsync(
        string path, CliServices services, SystemdNotifier notifier, ChannelReader<bool> reloads, Task running, Action<RecordedEvent> emit, CancellationToken stop)
    {
        while (true)
        {
            var reload = reloads.WaitToReadAsync(stop).AsTask();
            if (await Task.WhenAny(running, reload) == running || !await reload.ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                return null;
            }

            while (reloads.TryRead(out _))
            {
            }

            notifier.Reloading($"reloading {path}");
            var candidate = ConfigFile.Load(path, services);
            var now = TimeProvider.System.GetUtcNow();
            if (candidate is null)
            {
                emit(new AgentNotice(now, "config-rejected", $"{path} is not valid (problems above); still running the previous configuration").ToRecorded());
                notifier.Ready("configuration rejected; still running the previous one");
                continue;
            }

            emit(new AgentNotice(now, "config-reloaded", $"{path} reloaded; restarting the watcher and engines with it").ToRecorded());
            return candidate;
        }
    }
}
