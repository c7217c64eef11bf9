using System.Threading.Channels;
using Rebound.Configuration;
using Rebound.Record;

namespace Rebound.Act.Notify;

/// <summary>
/// Sends the <c>[[notify]]</c> messages. <see cref="OnEvent"/> never blocks: each entry has its own queue and worker.
/// Rate limit and coalescing, per entry: the first event goes at once; events arriving within the entry's window
/// after a message wait for the window's end and go together as one digest, so a burst (a flapping upstream, a
/// failover's dozen events) is at most one message per window. A failed delivery becomes <see cref="NotifyFailed"/>;
/// a transient one (no answer, 5xx, 429) keeps its events and is tried again after the window, or after the
/// service's Retry-After when that is later. Notifications are never sent for the runner's own events.
/// </summary>
public sealed class NotifyRunner : IEventSink, IDisposable
{
    private readonly NotifyRunnerOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Worker[] _workers;
    private readonly Channel<NotifyFailed> _events = Channel.CreateUnbounded<NotifyFailed>();

    public NotifyRunner(IReadOnlyList<NotifyConfig> entries, NotifyRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _options = options ?? new NotifyRunnerOptions();
        _ownsHttp = _options.HttpHandler is null;
        _http = _options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _http.Timeout = Timeout.InfiniteTimeSpan; // each entry's own timeout, on the TimeProvider
        _workers = [.. entries.Select(e => new Worker(this, e))];
    }

    /// <summary><see cref="NotifyFailed"/> events. Unbounded; completed when <see cref="RunAsync"/> ends.</summary>
    public ChannelReader<NotifyFailed> Events => _events.Reader;

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.Source.Kind.Family == EventFamily.Notify)
            return; // a failing notification for "*" would otherwise feed itself
        foreach (var worker in _workers)
        {
            if (worker.Entry.Wants(recorded.Kind))
                worker.Offer(recorded);
        }
    }

    /// <summary>
    /// Sends until cancelled; then what is still waiting goes once more as one message (bounded by each entry's
    /// timeout), so the events of a stopping agent are not lost. Does not throw.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_workers.Select(w => Task.Run(() => w.RunAsync(cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }

    private sealed class Worker(NotifyRunner runner, NotifyConfig entry)
    {
        private readonly Channel<RecordedEvent> _queue = Channel.CreateUnbounded<RecordedEvent>(new UnboundedChannelOptions { SingleReader = true });
        private readonly List<RecordedEvent> _pending = [];
        private int _droppedPending;
        private int _attempts;
        private DateTimeOffset _nextAllowed = DateTimeOffset.MinValue;

        public NotifyConfig Entry => entry;

        private TimeProvider Time => runner._options.TimeProvider;

        public void Offer(RecordedEvent recorded) => _queue.Writer.TryWrite(recorded);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    if (_pending.Count == 0)
                        Add(await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false));
                    TakeQueued();
                    var wait = _nextAllowed - Time.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
                        TakeQueued();
                    }

                    await SendAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                TakeQueued();
                if (_pending.Count > 0)
                    await SendAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        private void TakeQueued()
        {
            while (_queue.Reader.TryRead(out var recorded))
                Add(recorded);
        }

        private void Add(RecordedEvent recorded)
        {
            if (_pending.Count >= runner._options.MaxPending)
            {
                _pending.RemoveAt(0);
                _droppedPending++;
            }

            _pending.Add(recorded);
        }

        private async Task SendAsync(CancellationToken cancellationToken)
        {
            var message = Compose();
            using var timeout = new CancellationTokenSource(entry.Timeout, Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            NotifyException? failure = null;
            try
            {
                await entry.Endpoint.SendAsync(message, new NotifyContext(runner._http, Time), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                failure = new NotifyException($"timed out after {ConfigDuration.Format(entry.Timeout)}", transient: true);
            }
            catch (NotifyException ex)
            {
                failure = ex;
            }
#pragma warning disable CA1031 // Whatever a service's client throws, the agent carries on; its text is not journaled.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = new NotifyException($"failed ({ex.GetType().Name})", transient: true);
            }

            var now = Time.GetUtcNow();
            if (failure is null)
            {
                _pending.Clear();
                _droppedPending = 0;
                _attempts = 0;
                _nextAllowed = now + entry.Window;
                return;
            }

            _attempts++;
            var count = _pending.Count + _droppedPending;
            if (failure.Transient && _attempts < runner._options.MaxAttempts)
            {
                var delay = failure.RetryAfter is { } after && after > entry.Window ? after : entry.Window;
                _nextAllowed = now + delay;
                runner._events.Writer.TryWrite(new NotifyFailed(now, entry.Label, entry.Endpoint.Service, failure.Message, count, (long)delay.TotalMilliseconds));
                return;
            }

            runner._events.Writer.TryWrite(new NotifyFailed(now, entry.Label, entry.Endpoint.Service, failure.Message, count, null));
            _pending.Clear();
            _droppedPending = 0;
            _attempts = 0;
            _nextAllowed = now + entry.Window;
        }

        /// <summary>One event: its line; several: a digest, one line each (with its time), the oldest first.</summary>
        private NotifyMessage Compose()
        {
            var host = runner._options.Host;
            if (_pending.Count == 1 && _droppedPending == 0)
            {
                var only = _pending[0];
                return new NotifyMessage($"rebound@{host}: {only.Kind}", _attempts == 0 ? only.Summary : only.Text);
            }

            var total = _pending.Count + _droppedPending;
            var kinds = _pending.Select(p => p.Kind).Distinct().ToList();
            var title = $"rebound@{host}: {total} events ({string.Join(", ", kinds.Take(3))}{(kinds.Count > 3 ? ", …" : "")})";
            var max = runner._options.MaxLines;
            var lines = _pending.Take(max).Select(p => p.Text).ToList();
            var more = total - lines.Count;
            if (more > 0)
                lines.Add($"… and {more} more");
            return new NotifyMessage(title, string.Join('\n', lines));
        }
    }
}
