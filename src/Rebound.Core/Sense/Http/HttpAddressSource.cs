using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Rebound.Sense.Sources;

namespace Rebound.Sense.Http;

/// <summary>
/// Asks an HTTP(S) echo for the caller's address, over a new connection each time (<c>Connection: close</c>,
/// so no pooled connection stays pinned to a dead uplink), with the system's certificate validation, at most
/// three redirects and at most <see cref="MaxBody"/> bytes read.
/// </summary>
public sealed class HttpAddressSource : IAddressSource, IDisposable
{
    /// <summary>An address fits in 40 bytes; a Cloudflare trace is ~250. Anything far larger is not an echo.</summary>
    public const int MaxBody = 4096;

    private readonly HttpSourceSpec _spec;
    private readonly TimeProvider _time;
    private readonly HttpClient _client;

    public HttpAddressSource(HttpSourceSpec spec, TimeProvider time)
    {
        _spec = spec ?? throw new ArgumentNullException(nameof(spec));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 3,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
            MaxResponseHeadersLength = 16, // KiB
            SslOptions = { EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 },
            ConnectCallback = (context, ct) => HttpWire.ConnectAsync(context, Family, ct),
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name => _spec.Name;

    public AddressSourceKind Kind => AddressSourceKind.Http;

    public AddressFamily Family => _spec.Family;

    /// <summary>Bytes are counted on the wire as TCP payload: TLS, request and response headers, body (see <see cref="HttpWire"/>).</summary>
    public async Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Get, _spec.Url);
        var wire = HttpWire.Count(request);
        var answer = await ExchangeAsync(request, wire, timeout, started, cancellationToken); // the connection is closed by now
        return answer with { BytesSent = wire.Sent, BytesReceived = wire.Received };
    }

    private async Task<AddressAnswer> ExchangeAsync(HttpRequestMessage request, WireCount wire, TimeSpan timeout, long started, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            request.Headers.ConnectionClose = true;
            request.Headers.Accept.ParseAdd("text/plain, application/json;q=0.9, */*;q=0.5");
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Failed($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength is > MaxBody)
            {
                return Failed($"answer of {response.Content.Headers.ContentLength} bytes is too large for an address echo");
            }

            var body = new byte[MaxBody + 1];
            var read = 0;
            await using (var stream = await response.Content.ReadAsStreamAsync(linked.Token))
            {
                int n;
                while (read < body.Length && (n = await stream.ReadAsync(body.AsMemory(read), linked.Token)) > 0)
                {
                    read += n;
                }
            }

            if (read > MaxBody)
            {
                return Failed($"answer longer than {MaxBody} bytes is not an address echo");
            }

            var rtt = _time.GetElapsedTime(started);
            return HttpAddressParser.TryParse(body.AsSpan(0, read), out var address, out var error)
                ? new AddressAnswer(address, rtt, null, wire.Remote, 0, 0)
                : Failed(error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return AddressAnswer.Failed($"no answer within {timeout.TotalMilliseconds:0} ms", _time.GetElapsedTime(started), wire.Remote, timedOut: true);
        }
        catch (HttpRequestException ex)
        {
            return Failed(OneLine(ex.InnerException is { } inner && ex.Message.Length < 60 ? $"{ex.Message} ({inner.Message})" : ex.Message));
        }
        catch (IOException ex)
        {
            return Failed(OneLine(ex.Message));
        }

        AddressAnswer Failed(string error) => AddressAnswer.Failed(error, _time.GetElapsedTime(started), wire.Remote);
    }

    public void Dispose() => _client.Dispose();

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
