using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Rebound.Act.Commands;
using Rebound.Act.Engine;
using Rebound.Configuration;
using Rebound.Record;

namespace Rebound.Act.Hooks;

/// <summary>
/// Runs the configured <c>[[hook]]</c>s for the events they name. <see cref="OnEvent"/> never blocks: each hook
/// has its own bounded queue and worker, so a slow or hanging hook delays only itself, and when its queue is full
/// new events are dropped for it (<see cref="HookDropped"/>, said once per backlog). Each run is bounded by the
/// hook's timeout; a command that outlives it is killed with its whole process group, and what a command leaves
/// running when it exits is killed too (<see cref="ProcessCommandRunner"/>). Failures become
/// <see cref="HookFailed"/> events and never reach the agent. Hooks are never run for the runner's own events.
/// </summary>
public sealed class HookRunner : IEventSink, IDisposable
{
    private readonly HookConfig[] _hooks;
    private readonly HookRunnerOptions _options;
    private readonly HttpClient? _http;
    private readonly ProcessCommandRunner _commands;
    private readonly Worker[] _workers;
    private readonly Channel<HookEvent> _events = Channel.CreateUnbounded<HookEvent>(new UnboundedChannelOptions { SingleReader = false });

    public HookRunner(IReadOnlyList<HookConfig> hooks, HookRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(hooks);
        _hooks = [.. hooks];
        _options = options ?? new HookRunnerOptions();
        if (_options.QueueCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "QueueCapacity must be positive");
        _commands = new ProcessCommandRunner(_options.TimeProvider);
        if (_hooks.Any(h => h.Url is not null))
        {
            _http = _options.HttpHandler is { } handler
                ? new HttpClient(handler, disposeHandler: false)
                : new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
            _http.Timeout = Timeout.InfiniteTimeSpan;
        }

        _workers = [.. _hooks.Select(h => new Worker(this, h))];
    }

    /// <summary><see cref="HookFailed"/> and <see cref="HookDropped"/>. Unbounded; completed when <see cref="RunAsync"/> ends.</summary>
    public ChannelReader<HookEvent> Events => _events.Reader;

    /// <summary>Events dropped so far because a hook's queue was full, over all hooks.</summary>
    public long Dropped => _workers.Sum(w => w.Dropped);

    /// <summary>Every hook's queue is empty and no hook is running.</summary>
    public bool IsIdle => _workers.All(w => w.IsIdle);

    /// <summary>Completes once every hook's queue is empty and no hook runs: a stopping agent lets hooks finish, bounded by its grace.</summary>
    public Task DrainAsync(CancellationToken cancellationToken) => Task.WhenAll(_workers.Select(w => w.DrainAsync(cancellationToken)));

    /// <summary>Queues the event for every hook that wants it. Never blocks, never throws for a hook's sake.</summary>
    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.Source.Kind.Family == EventFamily.Hook)
            return; // a failing hook for "*" would otherwise feed itself
        foreach (var worker in _workers)
        {
            if (worker.Hook.Wants(recorded.Kind))
                worker.Offer(recorded);
        }
    }

    /// <summary>Runs the hooks until cancelled; a hook running then is stopped (its process group killed). Does not throw.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_workers.Select(w => Task.Run(() => w.RunAsync(cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public void Dispose() => _http?.Dispose();

    private void Emit(HookEvent e) => _events.Writer.TryWrite(e);

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= 200 ? line : line[..197] + "...";
    }

    private sealed class Worker(HookRunner runner, HookConfig hook)
    {
        private readonly Channel<RecordedEvent> _queue = Channel.CreateBounded<RecordedEvent>(
            new BoundedChannelOptions(runner._options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        private readonly Lock _gate = new();
        private readonly DrainSignal _drained = new();
        private long _dropped;
        private int _dropSaid;
        private int _inFlight; // queued or running

        public HookConfig Hook => hook;

        public long Dropped => Interlocked.Read(ref _dropped);

        public bool IsIdle
        {
            get
            {
                lock (_gate)
                    return _inFlight == 0;
            }
        }

        public Task DrainAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
                return _drained.WhenQuietAsync(_inFlight == 0, cancellationToken);
        }

        public void Offer(RecordedEvent recorded)
        {
            lock (_gate)
                _inFlight++;
            if (_queue.Writer.TryWrite(recorded))
                return;
            Done();
            var total = Interlocked.Increment(ref _dropped);
            if (Interlocked.Exchange(ref _dropSaid, 1) == 0)
                runner.Emit(new HookDropped(runner._options.TimeProvider.GetUtcNow(), hook.Index, hook.Label, recorded.Kind, total));
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var recorded))
                {
                    if (_queue.Reader.Count == 0)
                        Volatile.Write(ref _dropSaid, 0); // caught up: the next backlog is said again
                    try
                    {
                        await RunOneAsync(recorded, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Done();
                    }
                }
            }
        }

        private void Done()
        {
            lock (_gate)
            {
                if (--_inFlight == 0)
                    _drained.Quiet();
            }
        }

        private async Task RunOneAsync(RecordedEvent recorded, CancellationToken cancellationToken)
        {
            var time = runner._options.TimeProvider;
            var started = time.GetTimestamp();
            using var timeout = new CancellationTokenSource(hook.Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            (string Error, int? ExitCode, bool TimedOut)? failure;
            try
            {
                failure = hook.Command is { } command
                    ? await RunCommandAsync(command, recorded, linked.Token).ConfigureAwait(false)
                    : await PostAsync(hook.Url!, recorded, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                failure = ($"timed out after {ConfigDuration.Format(hook.Timeout)}{(hook.Command is null ? "" : "; killed with its children")}", null, true);
            }

            if (failure is { } f)
            {
                runner.Emit(new HookFailed(time.GetUtcNow(), hook.Index, hook.Label, recorded.Kind, f.Error, f.ExitCode, f.TimedOut,
                    (long)time.GetElapsedTime(started).TotalMilliseconds));
            }
        }

        private async Task<(string, int?, bool)?> RunCommandAsync(IReadOnlyList<string> command, RecordedEvent recorded, CancellationToken cancellationToken)
        {
            // The hook's timeout is the caller's token (it bounds webhooks the same way); cancelling kills the process group.
            var request = new CommandRequest(command, Timeout.InfiniteTimeSpan)
            {
                Input = Encoding.UTF8.GetBytes(recorded.Json + "\n"),
                // Only what HookEnvironment gives: the agent's own environment may hold provider tokens.
                Environment = HookEnvironment.For(recorded.Kind, recorded.Target, recorded.Json, runner._options.Path ?? Environment.GetEnvironmentVariable("PATH")),
                WorkingDirectory = "/",
                OutputLimitBytes = 0, // read and thrown away: it must not fill the pipe, and it may hold anything
            };
            try
            {
                var result = await runner._commands.RunAsync(request, cancellationToken).ConfigureAwait(false);
                return result.ExitCode == 0 ? null : ($"exited with code {result.ExitCode}", result.ExitCode, false);
            }
            catch (CommandStartException ex)
            {
                return ($"cannot start {command[0]}: {OneLine(ex.Reason)}", null, false);
            }
        }

        private async Task<(string, int?, bool)?> PostAsync(Uri url, RecordedEvent recorded, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WithoutUserInfo(url, out var basic))
            {
                Content = new StringContent(recorded.Json, Encoding.UTF8, "application/json"),
            };
            if (basic is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            request.Headers.UserAgent.ParseAdd("rebound-hook/1");
            request.Headers.TryAddWithoutValidation("X-Rebound-Event", recorded.Kind);
            try
            {
                using var response = await runner._http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 300 ? null : ($"answered HTTP {code}", code, false);
            }
            catch (HttpRequestException ex)
            {
                // Never the exception's text: it may quote the URL.
                return ($"request failed ({ex.HttpRequestError})", null, false);
            }
        }

        /// <summary>The URL without <c>user:password@</c>, which becomes a Basic authorization value instead.</summary>
        private static Uri WithoutUserInfo(Uri url, out string? basic)
        {
            basic = null;
            if (url.UserInfo.Length == 0)
                return url;
            var parts = url.UserInfo.Split(':', 2);
            var user = Uri.UnescapeDataString(parts[0]);
            var password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
            return new UriBuilder(url) { UserName = "", Password = "" }.Uri;
        }
    }
}
