using System.CommandLine;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound run --config FILE</c>: the agent — the watcher, plus the actions the file configures.</summary>
internal static class RunCommand
{
    public const string CacheFileName = "ddns-cache.json";

    /// <summary>How long a stopping agent lets in-flight DNS updates finish (a provider's own timeout is 10 s).</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(12);

    public static Command Create(CliServices services)
    {
        var config = ConfigFile.Option();
        var json = CommonOptions.Json();
        var command = new Command("run", "Run the agent: watch the WAN as 'watch' does and keep the configured DNS records on the current public address, verified at the authoritative server. Runs until SIGINT or SIGTERM.")
        {
            config, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var loaded = ConfigFile.Load(parse.GetValue(config)!, services);
            if (loaded is null)
            {
                return ExitCodes.BadInput;
            }

            var stateDirectory = loaded.State.Directory;
            try
            {
                Directory.CreateDirectory(stateDirectory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"state directory {stateDirectory}: {ex.Message}", ex);
            }

            var (targets, owned, problem) = await DdnsTargets.CreateAsync(loaded, TimeProvider.System, ct);
            try
            {
                if (problem is not null)
                {
                    throw new UsageException(problem);
                }

                var engine = new DdnsEngine(targets, new DdnsEngineOptions { CachePath = Path.Combine(stateDirectory, CacheFileName) }, TimeProvider.System);
                var settings = new WatchSettings(loaded.Watch.ToWatcherOptions(), loaded.Watch.ProbeTimeout);
                await using var runtime = await services.CreateWatcher(settings, ct);
                foreach (var warning in runtime.Warnings)
                {
                    await services.Stderr.WriteLineAsync($"rebound: warning: {warning}");
                }

                var printer = new EventPrinter(services.Stdout, parse.GetValue(json));
                var ipv6 = loaded.Watch.Ipv6Interface is { } iface ? new InterfaceIpv6Source(iface) : null;
                if (ipv6 is not null && runtime.LocalNetwork is null)
                {
                    await services.Stderr.WriteLineAsync($"rebound: warning: ipv6_interface {ipv6.InterfaceName} needs the local network monitor, which is unavailable; no IPv6 address will be published");
                }

                await Foreground.RunAsync(services, async stop =>
                {
                    // The engine stops after the watcher, once nothing is in flight: an update the
                    // provider is applying right now must be recorded, or the next start resends it.
                    using var engineStop = new CancellationTokenSource();
                    var engineRun = engine.RunAsync(engineStop.Token);
                    var engineEvents = PrintEngineEventsAsync(engine, printer, stop);
                    try
                    {
                        await runtime.Watcher.RunAsync(
                            async (e, _) =>
                            {
                                await printer.Print(e);
                                engine.OnWanEvent(e);
                                if (ipv6 is not null && runtime.LocalNetwork is { } local && e is WatcherStarted or LocalNetworkChanged
                                    && ipv6.Update(local.Current, e.Time) is { } changed)
                                {
                                    await printer.Print(changed);
                                    engine.OnWanEvent(changed);
                                }
                            },
                            stop.Token);
                    }
                    finally
                    {
                        await stop.CancelAsync();
                        await WhenIdleAsync(engine, ShutdownGrace);
                        await engineStop.CancelAsync();
                        await engineRun;
                        await engineEvents;
                    }
                }, ct);
            }
            finally
            {
                foreach (var d in owned)
                {
                    d.Dispose();
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task WhenIdleAsync(DdnsEngine engine, TimeSpan grace)
    {
        var since = TimeProvider.System.GetTimestamp();
        while (!engine.IsIdle && TimeProvider.System.GetElapsedTime(since) < grace)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    private static async Task PrintEngineEventsAsync(DdnsEngine engine, EventPrinter printer, CancellationTokenSource stop)
    {
        try
        {
            // Completes when the engine stops; every event it produced is printed first.
            await foreach (var e in engine.Events.ReadAllAsync(CancellationToken.None))
            {
                printer.Print(e);
            }
        }
        catch (StdoutClosedException)
        {
            await stop.CancelAsync();
        }
    }
}
