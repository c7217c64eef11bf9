using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using Rebound.Transport;

namespace Rebound.Act.Tailscale;

/// <summary>
/// tailscaled's LocalAPI over its unix socket: HTTP/1.1 with <c>Host: local-tailscaled.sock</c> and no
/// Origin/Referer headers (tailscaled answers browser-like requests with 403).
/// </summary>
public sealed class TailscaleLocalClient : IDisposable
{
    /// <summary>The host name tailscale's own clients send; tailscaled checks it.</summary>
    public const string LocalApiHost = "local-tailscaled.sock";

    private const int MaxBodyBytes = 16 << 20;

    private readonly TailscaleLocalClientOptions _options;
    private readonly HttpClient _http;

    public TailscaleLocalClient(TailscaleLocalClientOptions? options = null)
    {
        _options = options ?? new TailscaleLocalClientOptions();
        var socketPath = _options.SocketPath;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (_, cancellationToken) => UnixSocketStream.ConnectAsync(socketPath, cancellationToken),
        };

        // The timeouts below go through the TimeProvider, so HttpClient's own one is off.
        _http = new HttpClient(handler) { BaseAddress = new Uri($"http://{LocalApiHost}/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath => _options.SocketPath;

    /// <summary><c>GET /localapi/v0/status</c>.</summary>
    public async Task<TailscaleStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, "localapi/v0/status", _options.RequestTimeout, cancellationToken);
        return Parse(body, "status", TailscaleJsonContext.Default.TailscaleStatus);
    }

    /// <summary><c>POST /localapi/v0/debug?action=ACTION</c> (e.g. <c>restun</c>); needs write permission.</summary>
    public async Task DebugActionAsync(string action, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        await SendAsync(HttpMethod.Post, "localapi/v0/debug?action=" + Uri.EscapeDataString(action), _options.RequestTimeout, cancellationToken);
    }

    /// <summary>
    /// <c>POST /localapi/v0/ping?ip=IP&amp;type=disco</c>. A ping that got no pong returns a result whose
    /// <see cref="TailscalePingResult.Err"/> is set; only a failed request throws.
    /// </summary>
    public async Task<TailscalePingResult> PingAsync(IPAddress ip, string type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var body = await SendAsync(HttpMethod.Post, $"localapi/v0/ping?ip={Uri.EscapeDataString(ip.ToString())}&type={Uri.EscapeDataString(type)}",
            _options.PingTimeout, cancellationToken);
        return Parse(body, "ping", TailscaleJsonContext.Default.TailscalePingResult);
    }

    /// <summary>
    /// The process id of whoever listens on the socket (SO_PEERCRED): tailscaled, whose sockets the hop-port and
    /// reset-tcp rungs act on. Null when nothing listens or the kernel does not say.
    /// </summary>
    public int? DaemonPid()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(_options.SocketPath));
            Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
            var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, credentials);
            var pid = length >= 4 ? BitConverter.ToInt32(credentials[..4]) : 0;
            return pid > 0 ? pid : null;
        }
        catch (Exception ex) when (ex is SocketException or IOException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public void Dispose() => _http.Dispose();

    private async Task<byte[]> SendAsync(HttpMethod method, string pathAndQuery, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var path = "/" + pathAndQuery.Split('?')[0];
        using var expiry = new CancellationTokenSource(timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            using var request = new HttpRequestMessage(method, pathAndQuery) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            if (method == HttpMethod.Post)
                request.Content = new ByteArrayContent([]);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await ReadBodyAsync(response, linked.Token);
            if (response.StatusCode == HttpStatusCode.OK)
                return body;
            var detail = ErrorText(body);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                throw new TailscaleLocalApiException(TailscaleLocalApiError.PermissionDenied,
                    $"tailscaled denied {method} {path} (403 {detail}): run rebound as root or make its user tailscaled's operator (tailscale set --operator=USER)");
            }

            throw new TailscaleLocalApiException(TailscaleLocalApiError.Failed, $"tailscaled answered {method} {path} with {(int)response.StatusCode}: {detail}");
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TailscaleLocalApiException(TailscaleLocalApiError.TimedOut,
                $"tailscaled did not answer {method} {path} within {timeout.TotalSeconds:0.#} s (socket {_options.SocketPath})");
        }
        catch (HttpRequestException ex) when (FindSocketError(ex) is { } socketError)
        {
            throw socketError switch
            {
                SocketError.AccessDenied => new TailscaleLocalApiException(TailscaleLocalApiError.PermissionDenied,
                    $"permission denied on tailscaled's socket {_options.SocketPath}: run rebound as root", ex),
                _ when !Path.Exists(_options.SocketPath) => new TailscaleLocalApiException(TailscaleLocalApiError.NotRunning,
                    $"tailscaled is not running (no socket at {_options.SocketPath})", ex),
                SocketError.ConnectionRefused => new TailscaleLocalApiException(TailscaleLocalApiError.NotRunning,
                    $"tailscaled is not running (nothing listens on {_options.SocketPath})", ex),
                _ => new TailscaleLocalApiException(TailscaleLocalApiError.NotRunning,
                    $"cannot connect to tailscaled at {_options.SocketPath}: {socketError}", ex),
            };
        }
        catch (HttpRequestException ex)
        {
            throw new TailscaleLocalApiException(TailscaleLocalApiError.BadAnswer,
                $"tailscaled's {method} {path} failed: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
        catch (IOException ex)
        {
            throw new TailscaleLocalApiException(TailscaleLocalApiError.BadAnswer,
                $"tailscaled's {method} {path} failed: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxBodyBytes)
            throw new TailscaleLocalApiException(TailscaleLocalApiError.BadAnswer, $"tailscaled's answer is larger than {MaxBodyBytes >> 20} MiB");
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                throw new TailscaleLocalApiException(TailscaleLocalApiError.BadAnswer, $"tailscaled's answer is larger than {MaxBodyBytes >> 20} MiB");
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static SocketError? FindSocketError(Exception ex)
    {
        for (var e = (Exception?)ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
                return socket.SocketErrorCode;
        }

        return null;
    }

    /// <summary>tailscaled's errors are text (<c>http.Error</c>) or <c>{"error":"..."}</c>; either becomes one short line.</summary>
    private static string ErrorText(byte[] body)
    {
        string text;
        try
        {
            text = JsonSerializer.Deserialize(body, TailscaleJsonContext.Default.TailscaleErrorJson)?.Error ?? "";
        }
        catch (JsonException)
        {
            text = Encoding.UTF8.GetString(body);
        }

        text = text.ReplaceLineEndings(" ").Trim();
        if (text.Length == 0)
            return "(empty body)";
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    private static T Parse<T>(byte[] body, string what, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new TailscaleLocalApiException(TailscaleLocalApiError.BadAnswer, $"tailscaled's {what} answer is JSON null");
        }
        catch (JsonException ex)
        {
            throw new TailscaleLocalApiException(TailscaleLocalApiError.BadAnswer,
                $"tailscaled's {what} answer is not the expected JSON ({(ex.LineNumber is { } line ? $"line {line + 1}: " : "")}{FirstSentence(ex.Message)})", ex);
        }
    }

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return (dot > 0 ? message[..dot] : message).ReplaceLineEndings(" ");
    }
}
