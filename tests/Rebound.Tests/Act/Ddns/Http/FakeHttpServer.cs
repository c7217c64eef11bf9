using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>One request as the fake saw it: raw path and query, decoded query pairs in order, headers, body.</summary>
internal sealed record RecordedRequest(
    string Method,
    string Path,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    public string? QueryValue(string name) => Query.Where(p => p.Key == name).Select(p => p.Value).FirstOrDefault();

    public bool HasQuery(string name) => Query.Any(p => p.Key == name);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The user and password of a Basic Authorization header, or null.</summary>
    public (string User, string Password)? BasicAuth()
    {
        var header = Header("Authorization");
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
            return null;
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        int colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }
}

internal sealed record FakeResponse(int Status, string Body, string ContentType = "text/plain")
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static FakeResponse Text(string body, int status = 200) => new(status, body);

    public static FakeResponse Json(string body, int status = 200) => new(status, body, "application/json");
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (HttpListener) that records every request and answers through a
/// handler. Requests can be made to hang, to drive client timeouts from a fake clock.
/// </summary>
internal sealed class FakeHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<RecordedRequest, FakeResponse> _handler;
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopped = new();
    private readonly Task _loop;
    private bool _disposed;

    public FakeHttpServer(Func<RecordedRequest, FakeResponse> handler)
    {
        _handler = handler;
        for (int attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUri { get; }

    /// <summary>When set, requests are recorded and then left unanswered until the server is disposed.</summary>
    public bool Hang { get; set; }

    /// <summary>Completes when a request arrives while <see cref="Hang"/> is set.</summary>
    public TaskCompletionSource HungRequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
                return [.. _requests];
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stopped.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            var recorded = await RecordAsync(context.Request);
            lock (_lock)
                _requests.Add(recorded);
            if (Hang)
            {
                HungRequestArrived.TrySetResult();
                await Task.Delay(Timeout.Infinite, _stopped.Token);
                return;
            }

            var answer = _handler(recorded);
            var response = context.Response;
            response.StatusCode = answer.Status;
            response.ContentType = answer.ContentType;
            foreach (var (name, value) in answer.Headers)
                response.AddHeader(name, value);
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
            response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
        {
            // Server stopping or client gone.
        }
    }

    private static async Task<RecordedRequest> RecordAsync(HttpListenerRequest request)
    {
        var raw = request.RawUrl ?? "/";
        int q = raw.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? raw : raw[..q];
        var query = q < 0 ? "" : raw[(q + 1)..];
        var pairs = query.Length == 0
            ? []
            : query.Split('&').Select(part =>
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                return eq < 0
                    ? new KeyValuePair<string, string>(Uri.UnescapeDataString(part), "")
                    : new KeyValuePair<string, string>(Uri.UnescapeDataString(part[..eq]), Uri.UnescapeDataString(part[(eq + 1)..]));
            }).ToList();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string? name in request.Headers.AllKeys)
        {
            if (name is not null)
                headers[name] = request.Headers[name] ?? "";
        }
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        return new RecordedRequest(request.HttpMethod, path, query, pairs, headers, body);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stopped.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stopped.Dispose();
    }
}
