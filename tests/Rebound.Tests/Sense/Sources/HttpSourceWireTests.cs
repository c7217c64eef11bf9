using System.Net;
using System.Net.Sockets;
using System.Text;
using Rebound.Cli.Commands;
using Rebound.Decide;
using Rebound.Sense.Gateway;
using Rebound.Sense.Http;
using Rebound.Sense.Sources;
using Rebound.Tests.Decide;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Sense.Sources;

/// <summary>HTTP and UPnP sources count what crosses the wire, and a watcher (one per configuration) disposes them.</summary>
public sealed class HttpSourceWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_http_echo_question_counts_request_and_response_headers_and_body_as_sent_on_the_wire()
    {
        await using var server = FakeHttpServer.Start("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\n198.51.100.2");
        using var source = new HttpAddressSource(new HttpSourceSpec(server.Url("/")), TimeProvider.System);

        var answer = await source.AskAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.Equal(IPAddress.Parse("198.51.100.2"), answer.Address);
        var request = Assert.Single(await server.RequestsAsync());
        Assert.StartsWith("GET / HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Equal(Encoding.ASCII.GetByteCount(request), answer.BytesSent);
        Assert.Equal(server.ResponseBytes, answer.BytesReceived);
    }

    [Fact]
    public async Task A_upnp_question_counts_the_description_and_the_soap_exchange()
    {
        const string Description = "<root><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
            + "<controlURL>/ctl/IPConn</controlURL></service></serviceList></device></root>";
        const string Soap = "<s:Envelope><s:Body><u:GetExternalIPAddressResponse><NewExternalIPAddress>198.51.100.2</NewExternalIPAddress>"
            + "</u:GetExternalIPAddressResponse></s:Body></s:Envelope>";
        await using var server = FakeHttpServer.Start(
            $"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {Description.Length}\r\nConnection: close\r\n\r\n{Description}",
            $"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {Soap.Length}\r\nConnection: close\r\n\r\n{Soap}");
        using var source = new UpnpAddressSource(new UpnpSourceSpec(server.Url("/rootDesc.xml")), TimeProvider.System);

        var answer = await source.AskAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.Equal(IPAddress.Parse("198.51.100.2"), answer.Address);
        var requests = await server.RequestsAsync();
        Assert.Equal(2, requests.Count);
        Assert.StartsWith("POST /ctl/IPConn HTTP/1.1\r\n", requests[1], StringComparison.Ordinal);
        Assert.Equal(requests.Sum(Encoding.ASCII.GetByteCount), answer.BytesSent);
        Assert.Equal(server.ResponseBytes, answer.BytesReceived);
    }

    [Fact]
    public async Task Disposing_a_watcher_runtime_disposes_the_sources_its_watcher_made()
    {
        var made = new List<DisposableSource>();
        var options = WatcherHarness.Options(WatcherHarness.S1, "http://203.0.113.80/", "upnp:http://10.77.0.1:5000/rootDesc.xml");
        var watcher = new WanWatcher(options, new ScriptedStunProber(), TimeProvider.System, createSource: spec =>
        {
            var s = new DisposableSource(spec);
            made.Add(s);
            return s;
        });
        await using (new WanWatcherRuntime(watcher, []))
        {
            Assert.Equal(2, made.Count);
            Assert.DoesNotContain(made, s => s.Disposed);
        }

        Assert.All(made, s => Assert.True(s.Disposed, $"{s.Name} was not disposed"));
    }

    private sealed class DisposableSource(AddressSourceSpec spec) : IAddressSource, IDisposable
    {
        public bool Disposed { get; private set; }

        public string Name => spec.Name;

        public AddressSourceKind Kind => spec.Kind;

        public AddressFamily Family => spec.Family;

        public Task<AddressAnswer> AskAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(AddressAnswer.Failed("not asked in this test"));

        public void Dispose() => Disposed = true;
    }

    /// <summary>
    /// A fake HTTP server on loopback: one canned response per connection, in order, then it closes the connection
    /// (as the real echo does with Connection: close). Records each request as received, headers and body.
    /// </summary>
    private sealed class FakeHttpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<string> _requests = [];
        private readonly Task _serve;
        private readonly string[] _responses;

        private FakeHttpServer(string[] responses)
        {
            _responses = responses;
            _listener.Start();
            _serve = ServeAsync();
        }

        public int ResponseBytes => _responses.Sum(Encoding.ASCII.GetByteCount);

        public static FakeHttpServer Start(params string[] responses) => new(responses);

        public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

        public async Task<IReadOnlyList<string>> RequestsAsync()
        {
            await _serve.WaitAsync(TimeSpan.FromSeconds(10));
            return _requests;
        }

        private async Task ServeAsync()
        {
            foreach (var response in _responses)
            {
                using var client = await _listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var received = new List<byte>();
                var buffer = new byte[4096];
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    received.AddRange(buffer.AsSpan(0, n));
                    var text = Encoding.ASCII.GetString([.. received]);
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end >= 0 && received.Count >= end + 4 + ContentLength(text[..end]))
                    {
                        break;
                    }
                }

                _requests.Add(Encoding.ASCII.GetString([.. received]));
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
                client.Client.Shutdown(SocketShutdown.Send);
                while (await stream.ReadAsync(buffer) > 0)
                {
                    // until the client closes too
                }
            }
        }

        private static int ContentLength(string headers)
        {
            foreach (var line in headers.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return 0;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _serve.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException)
            {
                // a test that failed before every response was asked for
            }

            _listener.Dispose();
        }
    }
}
