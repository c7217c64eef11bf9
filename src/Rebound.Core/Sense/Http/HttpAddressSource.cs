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

    private static readonly HttpRequestOptionsKey<RemoteHolder> RemoteKey = new("rebound-remote");
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
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name => _spec.Name;

    public AddressSourceKind Kind => AddressSourceKind.Http;

    public AddressFamily Family => _spec.Family;

    public async Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var remote = new RemoteHolder();
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _spec.Url);
            request.Headers.ConnectionClose = true;
            request.Headers.Accept.ParseAdd("text/plain, application/json;q=0.9, */*;q=0.5");
            request.Options.Set(RemoteKey, remote);
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
                ? new AddressAnswer(address, rtt, null, remote.Address, 0, read)
                : Failed(error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return AddressAnswer.Failed($"no answer within {timeout.TotalMilliseconds:0} ms", _time.GetElapsedTime(started), remote.Address, timedOut: true);
        }
        catch (HttpRequestException ex)
        {
            return Failed(OneLine(ex.InnerException is { } inner && ex.Message.Length < 60 ? $"{ex.Message} ({inner.Message})" : ex.Message));
        }
        catch (IOException ex)
        {
            return Failed(OneLine(ex.Message));
        }

        AddressAnswer Failed(string error) => AddressAnswer.Failed(error, _time.GetElapsedTime(started), remote.Address);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Connects over the source's family only, so the answer is an address of that family; remembers whom.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var family = Family;
        IPAddress target;
        if (IPAddress.TryParse(context.DnsEndPoint.Host, out var literal))
        {
            target = literal;
        }
        else
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, family, ct);
            target = addresses.Length > 0 ? addresses[0] : throw new HttpRequestException($"cannot resolve {context.DnsEndPoint.Host}: no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address");
        }

        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
            if (context.InitialRequestMessage.Options.TryGetValue(RemoteKey, out var holder))
            {
                holder.Address = target;
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private sealed class RemoteHolder
    {
        public IPAddress? Address { get; set; }
    }
}
