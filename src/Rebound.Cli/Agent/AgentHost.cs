using System.Runtime.InteropServices;
using System.Threading.Channels;
using Rebound.Cli.Commands;
using Rebound.Cli.Service;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Record.Journal;
using Rebound.Record.Metrics;
using Rebound.Record.Status;
using Rebound.Sense.Stun;

namespace Rebound.Cli.Agent;

/// <summary>
/// The running agent (<c>rebound run</c>): what outlives a configuration — the printer, the event hub and its sinks
/// (journal, status board and file, metrics, HTTP surface), the systemd link — and the reload loop, which runs one
/// <see cref="AgentSession"/> per configuration. SIGHUP re-reads the file: an invalid one is rejected and the running
/// session carries on; a valid one replaces it, and if it cannot start, the previous configuration comes back.
/// </summary>
internal sealed class AgentHost : IAsyncDisposable
{
    private readonly string _path;
    private readonly ReboundConfig _config;
    private readonly CliServices _services;
    private readonly EventPrinter _printer;
    private readonly EventHub _hub = new();
    private int _localProbeFailure;
    private readonly Channel<bool> _reloads = Channel.CreateUnbounded<bool>();
    private readonly PosixSignalRegistration _sighup;
    private readonly SystemdLink _systemd;
    private readonly ServiceLog _log;
    private readonly HeapTrimmer _trimmer = new(TimeProvider.System);
    private readonly EventJournal _journal;
    private readonly StatusBoard _status = new(ReboundVersion.Text, TimeProvider.System);
    private readonly MetricsRegistry _metrics = new(ReboundVersion.Text);
    private readonly StatusHistory _history = new();
    private readonly StatusFile _statusFile;
    private readonly HttpSurface _http;

    private AgentHost(string path, ReboundConfig config, CliServices services, bool json)
    {
        _path = path;
        _config = config;
        _services = services;
        _printer = new EventPrinter(services.Stdout, json);
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            _reloads.Writer.TryWrite(true);
        });
        _systemd = new SystemdLink(config);
        _log = ServiceLog.ForStderr(services.Stderr);
        _hub.SinkFailed = (sink, ex) => Warn($"{sink.GetType().Name}: {ex.Message}");

        // The journal outlives reloads; a journal that cannot be opened costs only the record (one warning).
        _journal = EventJournal.Start(EventJournalOptions.InStateDirectory(config.State.Directory, config.Journal), TimeProvider.System, Warn);
        _hub.Add(_journal);

        // What the status page, `rebound status` and Prometheus read; kept across reloads.
        _hub.Add(_status);
        _hub.Add(_metrics);
        _hub.Add(_history);
        _statusFile = new StatusFile(_status, config.State.Directory, Warn);
        _hub.Add(_statusFile);
        _http = new HttpSurface(_hub, _status, _metrics, _history, _journal, Warn);
    }

    /// <summary>Opens what outlives sessions and starts serving <c>[http]</c>; a listener that cannot bind is an <see cref="InvalidOperationException"/>.</summary>
    public static async Task<AgentHost> StartAsync(string path, ReboundConfig config, CliServices services, bool json, CancellationToken ct)
    {
        var host = new AgentHost(path, config, services, json);
        try
        {
            await host._http.ApplyAsync(config.Http, ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The reload loop: sessions until <paramref name="stop"/> is cancelled (SIGINT, SIGTERM, or stdout gone).</summary>
    public async Task RunAsync(CancellationTokenSource stop)
    {
        using var stopping = stop.Token.Register(_systemd.Stopping);
        var current = _config;
        ReboundConfig? previous = null;
        while (!stop.IsCancellationRequested)
        {
            AgentSession session;
            _systemd.Configure(current);
            try
            {
                session = await AgentSession.StartAsync(current, _services, _hub, OnProbe, Emit, Warn, stop.Token);
            }
            catch (Exception ex) when (previous is not null && ex is UsageException or InvalidOperationException)
            {
                // The new file parsed but cannot run here (a server name that does not resolve):
                // the previous configuration comes back rather than no agent at all.
                Emit(new ConfigRejected(TimeProvider.System.GetUtcNow(), $"{_path}: {ex.Message}; back to the previous configuration"));
                current = previous;
                previous = null;
                continue;
            }

            // Only a configuration whose session started gets to change the HTTP surface.
            await _http.ApplyAsync(current.Http, stop.Token);
            _status.ExpectUplinks(session.UplinkInterfaces);
            ReboundConfig? next;
            await using (session)
            {
                using var sessionStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                var running = session.RunAsync(sessionStop);
                next = await NextConfigurationAsync(running, stop.Token);
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
    }

    /// <summary>
    /// Waits for the session to end (null: stop) or for a SIGHUP with a valid file (the new configuration).
    /// An invalid file is reported and the running session carries on untouched.
    /// </summary>
    private async Task<ReboundConfig?> NextConfigurationAsync(Task running, CancellationToken stop)
    {
        var reloads = _reloads.Reader;
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

            _systemd.Reloading(_path);
            var candidate = ConfigFile.Load(_path, _services, out var problems);
            var now = TimeProvider.System.GetUtcNow();
            if (candidate is null)
            {
                Emit(new ConfigRejected(now, RejectedMessage(_path, problems)));
                _systemd.KeptRunning();
                continue;
            }

            Emit(new ConfigReloaded(now, $"{_path} reloaded; restarting the watcher and engines with it"));
            return candidate;
        }
    }

    /// <summary>The problems themselves (FILE:LINE each, the first few), so the journal says what was wrong.</summary>
    internal static string RejectedMessage(string path, IReadOnlyList<string> problems)
    {
        const int Shown = 5;
        var listed = problems.Count == 0 ? $"{path} is not valid"
            : string.Join("; ", problems.Take(Shown)) + (problems.Count > Shown ? $"; and {problems.Count - Shown} more" : "");
        return $"{listed}; still running the previous configuration";
    }

    /// <summary>Every copy of the event to stdout and to every sink, in that order.</summary>
    private void Emit(ReboundEvent e)
    {
        foreach (var recorded in EventCatalogue.Record(e))
        {
            _printer.Print(recorded);
            _hub.Publish(recorded);
        }

        if (e is WatcherStarted started)
        {
            _systemd.Started(started);
        }
    }

    private void OnProbe(StunProbeResult probe)
    {
        _metrics.ObserveProbe(probe.BytesSent, probe.BytesReceived, probe.Succeeded);
        _systemd.Probed();
        // Said once per episode: the agent's own shortage, not the upstream's (the WAN state ignores such probes).
        if (probe.LocalFailure && Interlocked.Exchange(ref _localProbeFailure, 1) == 0)
        {
            Warn($"probes not sent for lack of descriptors on this host ({probe.Error}); not counted as loss");
        }
        else if (probe.Succeeded && Interlocked.Exchange(ref _localProbeFailure, 0) == 1)
        {
            Warn("probes are sent again");
        }
    }

    private void Warn(string message) => _log.Warning(message);

    public async ValueTask DisposeAsync()
    {
        await _http.DisposeAsync();
        await _statusFile.DisposeAsync();
        await _journal.DisposeAsync();
        _trimmer.Dispose();
        _systemd.Dispose();
        _sighup.Dispose();
    }
}
