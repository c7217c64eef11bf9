using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rebound.Record;
using Rebound.Record.Journal;
using Rebound.Record.Metrics;
using Rebound.Record.Status;

namespace Rebound.Cli.Serve;

/// <summary>
/// The agent's local HTTP surface: the status page, <c>/status.json</c>, <c>/metrics</c>, <c>/events</c>
/// (Server-Sent Events) and <c>/journal.json</c>, on TCP and optionally on a unix control socket.
/// A deliberately small HTTP/1.1 server (ASP.NET Core would double the AOT binary): GET and HEAD only,
/// one request per connection, bounded request heads, timeouts through <see cref="TimeProvider"/>.
/// As an <see cref="IEventSink"/> it streams every event to <c>/events</c> clients without ever blocking.
/// </summary>
internal sealed class AgentHttpServer : IEventSink, IAsyncDisposable
{
    private const int DefaultJournalLimit = 50;
    private const int MaxJournalLimit = 1000;

    private readonly AgentHttpServerOptions _options;
    private readonly StatusBoard _status;
    private readonly MetricsRegistry _metrics;
    private readonly Func<int, IReadOnlyList<string>> _journal;
    private readonly RecentEvents? _recent;
    private readonly StatusHistory _history;
    private readonly bool _ownHistory;
    private readonly TimeProvider _time;
    private readonly EventStreamHub _hub;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly Budget _tcpBudget;
    private readonly Budget _controlBudget;
    private readonly DescriptorReserve _reserve;
    private long _nextConnection;
    private long _refused;
    private long _refusedForDescriptors;
    private long _evicted;
    private bool _tcpLoopbackOnly;
    private Task _tcpAccept = Task.CompletedTask;
    private int _disposed;

    /// <param name="journal">
    /// The JSON objects of the newest N events, oldest first (e.g. <c>limit => journal.Query(limit: limit).Select(e => e.Json).ToList()</c>);
    /// null keeps the last <see cref="AgentHttpServerOptions.RecentEvents"/> in memory.
    /// </param>
    /// <param name="history">What the page draws; the agent's outlives reloads. Null: this server keeps its own from <see cref="OnEvent"/>.</param>
    public AgentHttpServer(
        AgentHttpServerOptions options,
        StatusBoard status,
        MetricsRegistry metrics,
        Func<int, IReadOnlyList<string>>? journal,
        TimeProvider time,
        StatusHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _status = status;
        _metrics = metrics;
        _time = time;
        _hub = new EventStreamHub(options.EventQueue);
        _tcpBudget = new Budget(options.MaxConnections);
        _controlBudget = new Budget(options.MaxControlConnections);
        _reserve = new DescriptorReserve(options.DescriptorReserve, options.Descriptors, time);
        if (journal is null)
        {
            _recent = new RecentEvents(options.RecentEvents);
            journal = _recent.Latest;
        }

        _journal = journal;
        _ownHistory = history is null;
        _history = history ?? new StatusHistory();
    }

    /// <summary>The bound TCP endpoint (with the real port when 0 was asked), or null.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Why the TCP address is not bound yet (it is being retried), or null.</summary>
    public string? ListenProblem { get; private set; }

    /// <summary>Called (once) when a TCP address that could not be bound at start is bound by a retry.</summary>
    public Action<string>? Listening { get; set; }

    /// <summary><c>http://127.0.0.1:PORT/</c> for the TCP listener, or null.</summary>
    public Uri? BaseAddress => LocalEndPoint is { } ep ? new Uri($"http://{ep}/") : null;

    /// <summary>Event stream clients connected now.</summary>
    public int EventClients => _hub.Count;

    /// <summary>TCP connections being served now.</summary>
    public int OpenConnections => Volatile.Read(ref _tcpBudget.Open);

    /// <summary>Connections closed unread because their listener's budget was full, since start.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refused);

    /// <summary>Idle connections (no request yet, or lingering after the answer) closed to give their slot to a newcomer.</summary>
    public long EvictedConnections => Interlocked.Read(ref _evicted);

    /// <summary>Of <see cref="RefusedConnections"/>, those closed because descriptors were down to the reserve.</summary>
    public long RefusedForDescriptors => Interlocked.Read(ref _refusedForDescriptors);

    /// <summary>Times accept failed other than for a vanished client (EMFILE/ENFILE), each followed by a wait.</summary>
    public long AcceptFailures { get; private set; }

    /// <summary>Event stream clients dropped because they fell behind.</summary>
    public long DroppedEventClients => _hub.Dropped;

    /// <summary>
    /// Binds the listeners and starts accepting. Throws <see cref="InvalidOperationException"/> with a
    /// one-line message when an address or the control socket cannot be bound.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (_options.Listen is { } listen)
            {
                try
                {
                    BindTcp(listen);
                }
                catch (InvalidOperationException ex) when (_options.ListenRetry is { } retry)
                {
                    // Degrade, don't die: the agent senses and acts without its page; the bind is retried.
                    ListenProblem = ex.Message;
                    _acceptLoops.Add(RetryTcpAsync(listen, retry));
                }
            }

            if (_options.ControlSocket is { } path)
            {
                var unix = BindControlSocket(path);
                _listeners.Add(unix);
                _acceptLoops.Add(AcceptLoopAsync(unix, isTcp: false));
            }
        }
        catch
        {
            foreach (var l in _listeners)
            {
                l.Dispose();
            }

            _listeners.Clear();
            throw;
        }

        return Task.CompletedTask;
    }

    private void BindTcp(IPEndPoint listen)
    {
        var tcp = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            tcp.Bind(listen);
            tcp.Listen(64);
        }
        catch (SocketException ex)
        {
            tcp.Dispose();
            throw new InvalidOperationException($"http listen {listen}: {ex.Message}", ex);
        }

        lock (_listeners)
        {
            if (_stop.IsCancellationRequested)
            {
                tcp.Dispose();
                return;
            }

            _listeners.Add(tcp);
            LocalEndPoint = (IPEndPoint)tcp.LocalEndPoint!;
            _tcpLoopbackOnly = IPAddress.IsLoopback(listen.Address);
            _tcpAccept = AcceptLoopAsync(tcp, isTcp: true);
        }
    }

    private async Task RetryTcpAsync(IPEndPoint listen, TimeSpan every)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                BindTcp(listen);
                ListenProblem = null;
                if (!_stop.IsCancellationRequested)
                    Listening?.Invoke($"http listen {listen}: bound now");
                return;
            }
            catch (InvalidOperationException)
            {
                // Still taken: said once at start, not every retry.
            }
        }
    }

    private static Socket BindControlSocket(string path)
    {
        try
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            if (File.Exists(path))
            {
                if (!UnixSocketFile.IsSocket(path))
                {
                    throw new InvalidOperationException($"control socket {path}: exists and is not a socket; not removing it");
                }

                // A socket file left by a crashed agent is removed; one that answers belongs to a running agent.
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    probe.Connect(new UnixDomainSocketEndPoint(path));
                    throw new InvalidOperationException($"control socket {path}: another agent is listening on it");
                }
                catch (SocketException)
                {
                    File.Delete(path);
                }
            }

            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(path));
                // Before listen(): nobody can connect while the mode is still the umask's.
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
                socket.Listen(64);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"control socket {path}: {ex.Message}", ex);
        }
    }

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        _recent?.OnEvent(recorded);
        if (_ownHistory)
            _history.OnEvent(recorded);
        _hub.Publish(recorded.Json);
    }

    private async Task AcceptLoopAsync(Socket listener, bool isTcp)
    {
        await Task.Yield();
        var budget = isTcp ? _tcpBudget : _controlBudget;
        var backoff = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
                backoff = TimeSpan.Zero;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                // That client is gone, the listener is fine.
                continue;
            }
            catch (SocketException)
            {
                // EMFILE/ENFILE (TooManyOpenSockets) and the like: the pending connection stays in the backlog and
                // accept fails again at once. Wait instead of spinning a core, doubling up to a second.
                AcceptFailures++;
                backoff = backoff == TimeSpan.Zero ? _options.AcceptBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
                try
                {
                    await Task.Delay(backoff, _time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (_reserve.IsShort((long)client.Handle))
            {
                // The last descriptors are for sensing and acting, never for a listener.
                Interlocked.Increment(ref _refusedForDescriptors);
                Interlocked.Increment(ref _refused);
                Refuse(client);
                continue;
            }

            if (Interlocked.Increment(ref budget.Open) > budget.Max && !Evicted(budget))
            {
                // Over budget: closed now, unread, so a flood holds none of the agent's descriptors.
                Interlocked.Decrement(ref budget.Open);
                Interlocked.Increment(ref _refused);
                Refuse(client);
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnection);
            var serving = ServeAsync(client, isTcp, id, budget);
            _connections[id] = serving;

            // A connection that ended before it was added removed nothing: remove it now.
            if (serving.IsCompleted)
                _connections.TryRemove(id, out _);
        }
    }

    private bool Evicted(Budget budget)
    {
        if (!budget.EvictOldestIdle())
            return false;
        Interlocked.Increment(ref _evicted);
        return true;
    }

    /// <summary>A 503 if it fits the send buffer at once (it always does on a fresh socket), then closed; nothing read, nothing awaited.</summary>
    private static void Refuse(Socket client)
    {
        try
        {
            client.Blocking = false;
            client.Send(Simple(503, "too many connections\n", head: false), SocketFlags.None, out _);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task ServeAsync(Socket client, bool isTcp, long id, Budget budget)
    {
        using var evict = new CancellationTokenSource();
        budget.Idle[id] = evict;
        await Task.Yield();
        var responded = false;
        try
        {
            using (client)
            {
                await using var closer = new LingeringClose(this, client, budget, id, evict);
                var (raw, failure) = await ReadHeadAsync(client, evict.Token);
                if (raw is null)
                {
                    if (failure != 0)
                    {
                        responded = true;
                        await SendAsync(client, Simple(failure, ReasonPhrase(failure).ToLowerInvariant() + "\n", head: false));
                    }

                    return;
                }

                // Working on a request now: no longer a slot a newcomer may take.
                if (!budget.Idle.TryRemove(id, out _))
                    return;
                var request = HttpRequestHead.Parse(raw, out var status);
                if (request is null)
                {
                    responded = true;
                    await SendAsync(client, Simple(status, ReasonPhrase(status).ToLowerInvariant() + "\n", head: false));
                    return;
                }

                responded = true;
                await RespondAsync(client, request, isTcp);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The client went away, was too slow, or the agent is stopping: nothing to tell anyone.
        }
        catch (Exception) when (!responded)
        {
            // A bug in a route must not take the agent down; the client gets a bare 500, no stack trace.
            try
            {
                await SendAsync(client, Simple(500, "internal error\n", head: false));
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
        finally
        {
            budget.Idle.TryRemove(id, out _);
            Interlocked.Decrement(ref budget.Open);
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Connections served at once on one listener, and how many it may serve. A connection that has not sent its
    /// request head yet, or lingers after its answer, is idle: when the budget is full a newcomer takes the oldest
    /// idle one's slot, so connections that never send (a flood) cannot keep a real client out.
    /// </summary>
    private sealed class Budget(int max)
    {
        public readonly int Max = max;
        public readonly ConcurrentDictionary<long, CancellationTokenSource> Idle = new();
        public int Open;

        /// <summary>Closes the oldest idle connection (its slot goes to the caller); false when none is idle.</summary>
        public bool EvictOldestIdle()
        {
            while (!Idle.IsEmpty)
            {
                var oldest = Idle.Keys.Min();
                if (Idle.TryRemove(oldest, out var evict))
                {
                    try
                    {
                        evict.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // It ended meanwhile: its slot is free anyway.
                    }

                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Ends a connection the way RFC 9112 9.6 asks: FIN after the response, then read (and discard) what
    /// the client still sends until it closes, so an unread request tail does not turn into a reset that
    /// destroys the response in flight. Bounded in bytes and time.
    /// </summary>
    private sealed class LingeringClose(AgentHttpServer server, Socket client, Budget budget, long id, CancellationTokenSource evict) : IAsyncDisposable
    {
        private const int MaxDrainBytes = 64 * 1024;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (evict.IsCancellationRequested)
                    return;
                budget.Idle[id] = evict; // its answer is out: lingering is idle, a newcomer may take the slot
                client.Shutdown(SocketShutdown.Send);
                using var timeout = new CancellationTokenSource(server._options.HeaderTimeout, server._time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, server._stop.Token, evict.Token);
                var buffer = new byte[4096];
                var drained = 0;
                int n;
                while (drained < MaxDrainBytes && (n = await client.ReceiveAsync(buffer, SocketFlags.None, linked.Token)) > 0)
                {
                    drained += n;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Closed either way.
            }
        }
    }

    /// <summary>The bytes before the blank line, or null with 0 (client closed), 408 (too slow) or 431 (too large).</summary>
    private async Task<(byte[]? Head, int Failure)> ReadHeadAsync(Socket client, CancellationToken evicted)
    {
        var buffer = new byte[_options.MaxHeaderBytes + 4];
        var filled = 0;
        using var timeout = new CancellationTokenSource(_options.HeaderTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token, evicted);
        while (true)
        {
            int n;
            try
            {
                n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_stop.IsCancellationRequested)
            {
                return (null, 408);
            }

            if (n == 0)
            {
                return (null, 0);
            }

            var from = Math.Max(0, filled - 3);
            filled += n;
            var end = buffer.AsSpan(from, filled - from).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return from + end > _options.MaxHeaderBytes ? (null, 431) : (buffer[..(from + end)], 0);
            }

            if (filled == buffer.Length)
            {
                return (null, 431);
            }
        }
    }

    private async Task RespondAsync(Socket client, HttpRequestHead request, bool isTcp)
    {
        var head = request.Method == "HEAD";
        if (request.Method is not ("GET" or "HEAD"))
        {
            await SendAsync(client, Simple(405, "only GET and HEAD\n", head, "Allow: GET, HEAD\r\n"));
            return;
        }

        if (isTcp && _tcpLoopbackOnly && !IsLoopbackHost(request.Host))
        {
            // A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) must not read the agent.
            await SendAsync(client, Simple(421, "this agent answers to localhost only\n", head));
            return;
        }

        switch (request.Path)
        {
            case "/":
            case "/index.html":
                await SendAsync(client, Response(200, "text/html; charset=utf-8", StatusPage.Document(_status.Snapshot(), _history), head, StatusPage.SecurityHeaders));
                break;
            case "/page.html":
                await SendAsync(client, Response(200, "text/html; charset=utf-8", StatusPage.Fragment(_status.Snapshot(), _history), head, StatusPage.SecurityHeaders));
                break;
            case "/status.json":
                await SendAsync(client, Response(200, "application/json", StatusJson.Serialize(_status.Snapshot()), head));
                break;
            case "/status.txt":
                await SendAsync(client, Response(200, "text/plain; charset=utf-8", StatusText.Render(_status.Snapshot()), head));
                break;
            case "/metrics":
                await SendAsync(client, Response(200, PrometheusText.ContentType, _metrics.Render(), head));
                break;
            case "/journal.json":
                await SendAsync(client, Journal(request, head));
                break;
            case "/events":
                await StreamEventsAsync(client, head);
                break;
            default:
                await SendAsync(client, Simple(404, "not found\n", head));
                break;
        }
    }

    private byte[] Journal(HttpRequestHead request, bool head)
    {
        var limit = DefaultJournalLimit;
        if (request.QueryValue("limit") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxJournalLimit)
            {
                return Simple(400, $"limit: expected a whole number from 1 to {MaxJournalLimit}\n", head);
            }
        }

        IReadOnlyList<string> events;
        try
        {
            events = _journal(limit);
        }
        catch (JournalException ex)
        {
            return Simple(503, $"journal unavailable: {ex.Message}\n", head);
        }

        var body = new StringBuilder("[");
        for (int i = 0; i < events.Count; i++)
        {
            // Each one is a complete object written by Utf8JsonWriter; the array is assembled around them.
            body.Append(i == 0 ? "\n" : ",\n").Append(events[i]);
        }

        body.Append("\n]\n");
        return Response(200, "application/json", body.ToString(), head);
    }

    private async Task StreamEventsAsync(Socket client, bool head)
    {
        var headers = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n");
        if (head)
        {
            await SendAsync(client, headers);
            return;
        }

        using var subscriber = _hub.Subscribe();
        await SendAsync(client, [.. headers, .. "retry: 2000\n: connected\n\n"u8]);
        var reader = subscriber.Queue.Reader;
        Task<bool>? ready = null;
        var batch = new StringBuilder();
        // A stream client sends nothing after its request: a read that ends is the client closing, and its slot is
        // freed at once (not at the next failed write, up to a heartbeat later).
        var gone = client.ReceiveAsync(new byte[256], SocketFlags.None, _stop.Token).AsTask();
        _ = gone.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        while (true)
        {
            ready ??= reader.WaitToReadAsync(_stop.Token).AsTask();
            using var beat = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var heartbeat = Task.Delay(_options.Heartbeat, _time, beat.Token);
            var first = await Task.WhenAny(ready, heartbeat, gone);
            await beat.CancelAsync();
            if (first == gone)
            {
                return;
            }

            if (first != ready)
            {
                await SendAsync(client, ": heartbeat\n\n"u8.ToArray());
                continue;
            }

            if (!await ready)
            {
                // Dropped for falling behind (or stopping): closing tells the browser to reconnect.
                return;
            }

            ready = null;
            batch.Clear();
            while (reader.TryRead(out var json))
            {
                // Json is one line (Utf8JsonWriter escapes newlines inside strings), so one data: line per event.
                batch.Append("data: ").Append(json).Append("\n\n");
            }

            await SendAsync(client, Encoding.UTF8.GetBytes(batch.ToString()));
        }
    }

    private static bool IsLoopbackHost(string? host)
    {
        if (host is null)
        {
            // HTTP/1.0 without Host: a local tool, not a browser.
            return true;
        }

        var name = host;
        if (name.StartsWith('['))
        {
            var close = name.IndexOf(']', StringComparison.Ordinal);
            name = close < 0 ? name : name[1..close];
        }
        else if (name.LastIndexOf(':') is var colon and > 0 && name.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            name = name[..colon];
        }

        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    private async Task SendAsync(Socket client, byte[] data)
    {
        using var timeout = new CancellationTokenSource(_options.WriteTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
        var remaining = data.AsMemory();
        while (!remaining.IsEmpty)
        {
            var sent = await client.SendAsync(remaining, SocketFlags.None, linked.Token);
            remaining = remaining[sent..];
        }
    }

    private static byte[] Simple(int status, string text, bool head, string extraHeaders = "") =>
        Response(status, "text/plain; charset=utf-8", text, head, extraHeaders);

    private static byte[] Response(int status, string contentType, string body, bool head, string extraHeaders = "")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var headers = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n"
            + $"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n{extraHeaders}\r\n");
        return head ? headers : [.. headers, .. bytes];
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Internal Server Error",
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        lock (_listeners)
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }
        }

        await Task.WhenAll(_acceptLoops);
        await _tcpAccept;
        await Task.WhenAll(_connections.Values);
        if (_options.ControlSocket is { } path && _listeners.Count > 0)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Removed at the next start anyway.
            }
        }

        _stop.Dispose();
    }
}
