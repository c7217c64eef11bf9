using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Rebound.Cli.Serve;
using Rebound.Record;
using Rebound.Record.Metrics;
using Rebound.Record.Status;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Tests.Serve;

public sealed class AgentHttpServerTests : IAsyncLifetime
{
    private readonly StatusBoard _board = new("1.2.3", TimeProvider.System);
    private readonly MetricsRegistry _metrics = new("1.2.3");
    private readonly List<AgentHttpServer> _servers = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<AgentHttpServer> StartAsync(AgentHttpServerOptions? options = null, TimeProvider? time = null, Func<int, IReadOnlyList<string>>? journal = null)
    {
        var server = new AgentHttpServer(options ?? new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, _board, _metrics, journal, time ?? TimeProvider.System);
        _servers.Add(server);
        await server.StartAsync(Ct);
        return server;
    }

    private void Feed(AgentHttpServer server, RecordedEvent e)
    {
        _board.OnEvent(e);
        _metrics.OnEvent(e);
        server.OnEvent(e);
    }

    /// <summary>Sends raw bytes and returns everything the server wrote before closing.</summary>
    private static async Task<string> RawAsync(AgentHttpServer server, string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint!, Ct);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request), SocketFlags.None, Ct);
        return await ReadToEndAsync(socket);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return Encoding.UTF8.GetString(all.ToArray());
    }

    [Fact]
    public async Task The_page_is_served_with_a_strict_content_security_policy_and_no_external_assets()
    {
        var server = await StartAsync();

        using var response = await _http.GetAsync(server.BaseAddress, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Encoding.UTF8.GetByteCount(html), response.Content.Headers.ContentLength);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("new EventSource(\"events\")", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_is_rendered_on_the_server_and_page_html_is_its_live_part()
    {
        var server = await StartAsync();
        Feed(server, Started(T0, "198.51.100.7"));
        Feed(server, AddressChanged(T0.AddMinutes(1), "198.51.100.7", "203.0.113.9", TimeSpan.FromSeconds(1)));

        var page = await _http.GetStringAsync(server.BaseAddress, Ct);
        using var response = await _http.GetAsync(new Uri(server.BaseAddress!, "page.html"), Ct);
        var fragment = await response.Content.ReadAsStringAsync(Ct);

        // Readable without a script: the address, the timeline row and the journal line are in the HTML itself.
        Assert.Contains("<div class=\"addr\">203.0.113.9</div>", page, StringComparison.Ordinal);
        Assert.Contains("<g class=\"failover\" data-kind=\"public-address-changed\"", page, StringComparison.Ordinal);
        Assert.Contains("<span class=\"kind wan\">public-address-changed</span>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.StartsWith("<div id=\"page\"", fragment, StringComparison.Ordinal);
        Assert.Contains("<div class=\"addr\">203.0.113.9</div>", fragment, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", fragment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_json_is_the_boards_snapshot()
    {
        var server = await StartAsync();
        Feed(server, Started(T0, "198.51.100.7"));

        var json = await _http.GetStringAsync(new Uri(server.BaseAddress!, "status.json"), Ct);

        var snapshot = StatusJson.Parse(json);
        Assert.Equal("198.51.100.7", snapshot.Families[0].Address);
        Assert.Equal("1.2.3", snapshot.Version);
    }

    [Fact]
    public async Task Metrics_have_the_prometheus_content_type()
    {
        var server = await StartAsync();
        _metrics.ObserveProbe(20, 32, ok: true);

        using var response = await _http.GetAsync(new Uri(server.BaseAddress!, "metrics"), Ct);

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.GetValues("Content-Type").Single());
        Assert.Contains("rebound_probes_total{result=\"ok\"} 1", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_gives_the_headers_of_get_with_no_body()
    {
        var server = await StartAsync();

        var get = await RawAsync(server, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var head = await RawAsync(server, "HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        var getLength = get.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.Ordinal));
        Assert.Contains(getLength, head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_get_405_with_allow(string method)
    {
        var server = await StartAsync();

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(server.BaseAddress!, "status.json"));
        using var response = await _http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Unknown_paths_get_404()
    {
        var server = await StartAsync();

        using var response = await _http.GetAsync(new Uri(server.BaseAddress!, "admin"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not found\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("GET\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\nbroken header\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\n folded\r\n\r\n")]
    [InlineData("GET http://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("get / HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /\u00e9 HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    public async Task Malformed_requests_get_400_without_details(string request)
    {
        var server = await StartAsync();

        var response = await RawAsync(server, request);

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nbad request\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_2_request_lines_get_505()
    {
        var server = await StartAsync();

        Assert.StartsWith("HTTP/1.1 505 ", await RawAsync(server, "GET / HTTP/2.0\r\nHost: localhost\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_1_0_without_host_is_served()
    {
        var server = await StartAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await RawAsync(server, "GET /metrics HTTP/1.0\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_head_over_the_limit_gets_431()
    {
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxHeaderBytes = 1024 });

        var response = await RawAsync(server, $"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('a', 2000)}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 431 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_does_not_finish_its_request_head_in_time_gets_408()
    {
        var time = new FakeTimeProvider(T0);
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), HeaderTimeout = TimeSpan.FromSeconds(5) }, time);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint!, Ct);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: loc"u8.ToArray(), SocketFlags.None, Ct);
        var read = ReadToEndAsync(socket);

        await Task.Delay(200, Ct);
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(100, Ct);
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.StartsWith("HTTP/1.1 408 ", await read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_foreign_host_name_is_refused_on_a_loopback_listener()
    {
        var server = await StartAsync();

        Assert.StartsWith("HTTP/1.1 421 ", await RawAsync(server, "GET /status.json HTTP/1.1\r\nHost: attacker.example:9464\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 ", await RawAsync(server, "GET /status.json HTTP/1.1\r\nHost: localhost:9464\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 ", await RawAsync(server, "GET /status.json HTTP/1.1\r\nHost: [::1]:9464\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_returns_the_newest_events_oldest_first_and_rejects_a_bad_limit()
    {
        var server = await StartAsync();
        for (int i = 0; i < 5; i++)
        {
            Feed(server, AddressChanged(T0.AddMinutes(i), null, $"203.0.113.{i + 1}"));
        }

        var json = await _http.GetStringAsync(new Uri(server.BaseAddress!, "journal.json?limit=2"), Ct);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(["203.0.113.4", "203.0.113.5"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("new").GetString()));

        using var bad = await _http.GetAsync(new Uri(server.BaseAddress!, "journal.json?limit=-1"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Journal_uses_the_given_provider()
    {
        var asked = 0;
        var server = await StartAsync(journal: limit => { asked = limit; return [Started(T0, "198.51.100.7").Json]; });

        var json = await _http.GetStringAsync(new Uri(server.BaseAddress!, "journal.json"), Ct);

        Assert.Equal(50, asked);
        Assert.Contains("\"event\":\"started\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_journal_gets_503_with_its_one_line_reason()
    {
        var server = await StartAsync(journal: _ => throw new Rebound.Record.Journal.JournalException("journal /var/lib/rebound/journal.db: database disk image is malformed"));

        using var response = await _http.GetAsync(new Uri(server.BaseAddress!, "journal.json"), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("journal unavailable: journal /var/lib/rebound/journal.db: database disk image is malformed\n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Events_are_streamed_as_server_sent_events()
    {
        var server = await StartAsync();
        using var stream = await _http.GetStreamAsync(new Uri(server.BaseAddress!, "events"), Ct);
        using var reader = new StreamReader(stream);
        Assert.Equal("retry: 2000", await reader.ReadLineAsync(Ct));
        Assert.Equal(": connected", await reader.ReadLineAsync(Ct));
        Assert.Equal("", await reader.ReadLineAsync(Ct));

        var changed = AddressChanged(T0, "198.51.100.7", "203.0.113.9");
        Feed(server, changed);

        Assert.Equal("data: " + changed.Json, await reader.ReadLineAsync(Ct));
        Assert.Equal("", await reader.ReadLineAsync(Ct));
    }

    [Fact]
    public async Task An_idle_event_stream_gets_heartbeats_from_the_time_provider()
    {
        var time = new FakeTimeProvider(T0);
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Heartbeat = TimeSpan.FromSeconds(15) }, time);
        using var stream = await _http.GetStreamAsync(new Uri(server.BaseAddress!, "events"), Ct);
        using var reader = new StreamReader(stream);
        for (int i = 0; i < 3; i++)
        {
            await reader.ReadLineAsync(Ct);
        }

        var next = reader.ReadLineAsync(Ct).AsTask();
        await Task.Delay(200, Ct);
        Assert.False(next.IsCompleted);
        // The stream loop arms its heartbeat timer asynchronously; advance until it fires.
        for (int i = 0; i < 50 && !next.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
            await Task.WhenAny(next, Task.Delay(50, Ct));
        }

        Assert.Equal(": heartbeat", await next);
    }

    [Fact]
    public async Task A_client_that_does_not_read_its_event_stream_is_dropped_without_blocking_the_agent()
    {
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), EventQueue = 8 });
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync(server.LocalEndPoint!, Ct);
        await slow.SendAsync("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
        for (int i = 0; i < 100 && server.EventClients == 0; i++)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(1, server.EventClients);
        var big = Wan(new Rebound.Decide.LocalNetworkChanged(T0, [new string('p', 64 * 1024)]));
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 500; i++)
        {
            server.OnEvent(big);
        }

        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"publishing took {clock.Elapsed}");
        Assert.Equal(1, server.DroppedEventClients);
        Assert.Equal(0, server.EventClients);
        using var response = await _http.GetAsync(new Uri(server.BaseAddress!, "status.json"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Connections_over_the_limit_are_closed_at_once_unread_and_a_freed_slot_serves_again()
    {
        // The fake clock never moves: a surplus connection held until the 5 s head timeout would never end.
        // Both slots are busy (event streams): nothing idle to give way.
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxConnections = 2 }, new FakeTimeProvider());
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        foreach (var stream in new[] { first, second })
        {
            await stream.ConnectAsync(server.LocalEndPoint!, Ct);
            await stream.SendAsync("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
        }

        await UntilAsync(() => server.EventClients == 2 && OpenSlotsTaken(server, 2));

        for (int i = 0; i < 20; i++)
        {
            using var surplus = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await surplus.ConnectAsync(server.LocalEndPoint!, Ct);
            // Closed by the server without a request being sent or read: the read ends (503 then FIN, or a reset).
            var answer = await ReadUntilClosedAsync(surplus);
            Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503 ", StringComparison.Ordinal), answer);
        }

        Assert.Equal(20, server.RefusedConnections);
        Assert.Equal(0, server.EvictedConnections);
        first.Dispose();
        second.Dispose();
        string response = "";
        for (int i = 0; i < 50 && !response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50, Ct);
            response = await RawAsync(server, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
        }

        Assert.StartsWith("HTTP/1.1 200 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_that_never_send_give_their_slots_to_a_client_that_does()
    {
        // The fake clock never moves: without eviction the idle ones would hold both slots for ever.
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxConnections = 2 }, new FakeTimeProvider());
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                idle.Add(s);
                await s.ConnectAsync(server.LocalEndPoint!, Ct);
            }

            await UntilAsync(() => server.EvictedConnections == 8);
            Assert.StartsWith("HTTP/1.1 200 ", await RawAsync(server, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"), StringComparison.Ordinal);
            Assert.Equal(9, server.EvictedConnections);
            Assert.Equal(0, server.RefusedConnections);
            Assert.Equal("", await ReadUntilClosedAsync(idle[0])); // the oldest was closed, unanswered
        }
        finally
        {
            foreach (var s in idle)
                s.Dispose();
        }
    }

    [Fact]
    public async Task While_descriptors_are_down_to_the_reserve_every_connection_is_closed_unread()
    {
        var time = new FakeTimeProvider();
        var open = new long[] { 1000 - 10 }; // 10 free below a soft limit of 1000: inside the reserve of 64
        var server = await StartAsync(new AgentHttpServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Descriptors = () => (Volatile.Read(ref open[0]), 1000),
        }, time);

        for (int i = 0; i < 5; i++)
        {
            using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await refused.ConnectAsync(server.LocalEndPoint!, Ct);
            var answer = await ReadUntilClosedAsync(refused);
            Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 503 ", StringComparison.Ordinal), answer);
        }

        Assert.Equal(5, server.RefusedForDescriptors);
        Assert.Equal(0, server.OpenConnections);

        // Descriptors freed: once the count is read again, connections are served.
        Volatile.Write(ref open[0], 1000 - 65);
        time.Advance(DescriptorReserve.RefreshEvery);
        Assert.StartsWith("HTTP/1.1 200 ", await RawAsync(server, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"), StringComparison.Ordinal);
        Assert.Equal(5, server.RefusedForDescriptors);
    }

    [Fact]
    public void The_reserve_rereads_the_count_at_most_every_refresh_and_trusts_a_high_descriptor_number_between()
    {
        var time = new FakeTimeProvider();
        var reads = 0;
        var reserve = new DescriptorReserve(64, () =>
        {
            reads++;
            return (100, 1000);
        }, time);

        Assert.False(reserve.IsShort(acceptedFd: 99));
        Assert.True(reserve.IsShort(acceptedFd: 990)); // every lower descriptor is taken: at least 991 open
        Assert.False(reserve.IsShort(acceptedFd: 935));
        Assert.True(reserve.IsShort(acceptedFd: 936));
        Assert.Equal(1, reads);
        time.Advance(DescriptorReserve.RefreshEvery);
        Assert.False(reserve.IsShort(acceptedFd: 5));
        Assert.Equal(2, reads);

        Assert.False(new DescriptorReserve(0, () => (999, 1000), time).IsShort(999));
        Assert.False(new DescriptorReserve(64, () => null, time).IsShort(999));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_tcp_flood_that_fills_its_budget_leaves_the_control_socket_answering()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-http-");
        var held = new List<Socket>();
        try
        {
            var path = Path.Combine(directory.FullName, "control.sock");
            var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), ControlSocket = path, MaxConnections = 4 }, new FakeTimeProvider());
            for (int i = 0; i < 40; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                held.Add(s);
                await s.ConnectAsync(server.LocalEndPoint!, Ct);
            }

            await UntilAsync(() => server.RefusedConnections + server.EvictedConnections >= 36);

            var options = new AgentHttpServerOptions { Listen = null, ControlSocket = path };
            var json = await AgentClient.GetAsync(options, "/status.json", Ct);
            Assert.Equal("1.2.3", StatusJson.Parse(json).Version);
        }
        finally
        {
            foreach (var s in held)
                s.Dispose();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_event_stream_client_that_closes_frees_its_slot_at_once()
    {
        // The fake clock never moves: no heartbeat write can discover the closed client, only reading can.
        var server = await StartAsync(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxConnections = 1 }, new FakeTimeProvider());
        using (var watcher = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await watcher.ConnectAsync(server.LocalEndPoint!, Ct);
            await watcher.SendAsync("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
            await UntilAsync(() => server.EventClients == 1);
        }

        await UntilAsync(() => server.EventClients == 0);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint!, Ct);
        await socket.SendAsync("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray(), SocketFlags.None, Ct);
        socket.Shutdown(SocketShutdown.Send);
        Assert.StartsWith("HTTP/1.1 200 ", await ReadToEndAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_squatted_port_is_not_fatal_and_is_bound_by_a_retry_once_freed()
    {
        var time = new FakeTimeProvider();
        var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen(1);
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var bound = new List<string>();
        var server = new AgentHttpServer(
            new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, port), ListenRetry = TimeSpan.FromSeconds(30) }, _board, _metrics, null, time);
        _servers.Add(server);
        server.Listening = m => { lock (bound) bound.Add(m); };

        await server.StartAsync(Ct);

        Assert.Null(server.LocalEndPoint);
        Assert.Contains($"http listen 127.0.0.1:{port}", server.ListenProblem, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(100, Ct);
        Assert.Null(server.LocalEndPoint); // still taken

        squatter.Dispose();
        await UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(30));
            return server.LocalEndPoint is not null;
        });
        Assert.Null(server.ListenProblem);
        lock (bound)
            Assert.Single(bound);
        using var response = await _http.GetAsync(new Uri(server.BaseAddress!, "metrics"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static bool OpenSlotsTaken(AgentHttpServer server, int expected) => server.OpenConnections == expected;

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
            await Task.Delay(25, Ct);
        Assert.True(condition());
    }

    private static async Task<string> ReadUntilClosedAsync(Socket socket)
    {
        try
        {
            return await ReadToEndAsync(socket);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "";
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_control_socket_serves_the_same_json_with_mode_0660_and_is_removed_on_dispose()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-http-");
        try
        {
            var path = Path.Combine(directory.FullName, "run", "control.sock");
            var server = await StartAsync(new AgentHttpServerOptions { Listen = null, ControlSocket = path });
            Feed(server, Started(T0, "198.51.100.7"));

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(path));
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var client = new HttpClient(handler);
            var json = await client.GetStringAsync(new Uri("http://rebound/status.json"), Ct);
            Assert.Equal("198.51.100.7", StatusJson.Parse(json).Families[0].Address);

            await server.DisposeAsync();
            Assert.False(File.Exists(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_regular_file_at_the_control_socket_path_is_never_deleted_and_start_fails()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-http-");
        try
        {
            var path = Path.Combine(directory.FullName, "control.sock");
            await File.WriteAllTextAsync(path, "precious", Ct);
            var server = new AgentHttpServer(new AgentHttpServerOptions { Listen = null, ControlSocket = path }, _board, _metrics, null, TimeProvider.System);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync(Ct));

            Assert.Equal($"control socket {path}: exists and is not a socket; not removing it", error.Message);
            Assert.Equal("precious", await File.ReadAllTextAsync(path, Ct));
            await server.DisposeAsync();
            Assert.Equal("precious", await File.ReadAllTextAsync(path, Ct));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_stale_control_socket_file_is_replaced_but_a_live_one_is_an_error()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-http-");
        try
        {
            var path = Path.Combine(directory.FullName, "control.sock");
            using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                // .NET unlinks the file on dispose; moved away first, it stays behind like a crashed agent's.
                stale.Bind(new UnixDomainSocketEndPoint(path + ".tmp"));
                File.Move(path + ".tmp", path);
            }

            Assert.True(File.Exists(path));

            await StartAsync(new AgentHttpServerOptions { Listen = null, ControlSocket = path });

            var second = new AgentHttpServer(new AgentHttpServerOptions { Listen = null, ControlSocket = path }, _board, _metrics, null, TimeProvider.System);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(Ct));
            Assert.Equal($"control socket {path}: another agent is listening on it", error.Message);
        }
        finally
        {
            foreach (var s in _servers)
            {
                await s.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_port_in_use_is_a_one_line_error()
    {
        var first = await StartAsync();
        var second = new AgentHttpServer(new AgentHttpServerOptions { Listen = first.LocalEndPoint }, _board, _metrics, null, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(Ct));

        Assert.StartsWith($"http listen {first.LocalEndPoint}: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _http.Dispose();
    }
}
