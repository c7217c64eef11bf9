using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Tailscale;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Act.Tailscale;

/// <summary>TailscaleLocalClient against FakeTailscaled, a LocalAPI server on a real unix socket.</summary>
public sealed class TailscaleLocalClientTests
{
    private const string Noise = "{}[]\":,0aZ\u00e9 ";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static TailscaleLocalClient Client(FakeTailscaled fake, TimeProvider? time = null) =>
        new(new TailscaleLocalClientOptions { SocketPath = fake.SocketPath, TimeProvider = time ?? TimeProvider.System });

    [Fact]
    public async Task FakeTailscaled_status_is_read_with_Go_field_names()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck);
        using var client = Client(fake);

        var status = await client.GetStatusAsync(Token);

        Assert.Equal("Running", status.BackendState);
        Assert.False(status.Self!.Online);
        Assert.Equal(["198.51.100.20:41641", "192.168.1.10:41641"], status.Self.Addrs);
        Assert.Equal(["100.64.0.1"], status.Self.TailscaleIPs);
        Assert.Single(status.Health!);
        var peer = Assert.Single(status.Peer!.Values);
        Assert.Equal(("laptop", FakeTailscaled.PeerEndpoint, "fra", true), (peer.HostName, peer.CurAddr, peer.Relay, peer.Online));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero), peer.LastHandshake.AddTicks(-(peer.LastHandshake.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(["GET /localapi/v0/status"], fake.Requests);
    }

    [Fact]
    public async Task FakeTailscaled_debug_action_is_a_POST_that_tailscaled_accepts_and_rebind_keeps_a_pinned_path_pinned()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        using var client = Client(fake);

        await client.DebugActionAsync("rebind", Token);

        Assert.Equal(["POST /localapi/v0/debug"], fake.Requests);
        Assert.Equal(["rebind"], fake.Actions);
        // Same port 41641 again (magicsock bindSocket): the router's pinned entry still applies.
        Assert.True(fake.Pinned);
        Assert.False(fake.Healed);
    }

    [Fact]
    public async Task FakeTailscaled_pid_is_read_from_its_socket()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var client = Client(fake);
        using var missing = new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = "/nonexistent/rebound-test/tailscaled.sock" });

        Assert.Equal(Environment.ProcessId, client.DaemonPid());
        Assert.Null(missing.DaemonPid());
    }

    [Fact]
    public async Task FakeTailscaled_unknown_debug_action_is_reported_with_tailscaleds_words()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => client.DebugActionAsync("rebnd", Token));

        Assert.Equal("tailscaled answered POST /localapi/v0/debug with 400: unknown action \"rebnd\"", ex.Message);
    }

    [Fact]
    public async Task FakeTailscaled_without_write_permission_gives_a_403_permission_message()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck) { PermitWrite = false };
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => client.DebugActionAsync("rebind", Token));

        Assert.Equal(TailscaleLocalApiError.PermissionDenied, ex.Error);
        Assert.Equal("tailscaled denied POST /localapi/v0/debug (403 debug access denied): run rebound as root or make its user tailscaled's operator (tailscale set --operator=USER)", ex.Message);
        Assert.Empty(fake.Actions);
    }

    [Fact]
    public async Task FakeTailscaled_disco_ping_returns_the_pong_or_its_error()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        using var client = Client(fake);

        var dead = await client.PingAsync(IPAddress.Parse(FakeTailscaled.Peer), "disco", Token);
        fake.TcpReset();
        var relayed = await client.PingAsync(IPAddress.Parse(FakeTailscaled.Peer), "disco", Token);
        await client.DebugActionAsync("restun", Token);
        var stillRelayed = await client.PingAsync(IPAddress.Parse(FakeTailscaled.Peer), "disco", Token);
        fake.SourcePortChanged();
        var pong = await client.PingAsync(IPAddress.Parse(FakeTailscaled.Peer), "disco", Token);
        var unknown = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => client.PingAsync(IPAddress.Parse("100.64.0.99"), "disco", Token));

        Assert.Equal("timeout waiting for pong", dead.Err);
        Assert.Equal((null, "", 1), (relayed.Err, relayed.Endpoint, relayed.DERPRegionID));
        Assert.Equal("", stillRelayed.Endpoint);
        Assert.Equal((null, FakeTailscaled.PeerEndpoint, 0.0123), (pong.Err, pong.Endpoint, pong.LatencySeconds));
        Assert.Equal("tailscaled answered POST /localapi/v0/ping with 500: no matching peer", unknown.Message);
    }

    [Fact]
    public async Task Missing_socket_says_tailscaled_is_not_running()
    {
        using var client = new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = "/nonexistent/rebound-test/tailscaled.sock" });

        var ex = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => client.GetStatusAsync(Token));

        Assert.Equal(TailscaleLocalApiError.NotRunning, ex.Error);
        Assert.Equal("tailscaled is not running (no socket at /nonexistent/rebound-test/tailscaled.sock)", ex.Message);
    }

    [Fact]
    public async Task Socket_file_without_a_listener_says_tailscaled_is_not_running()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("rebound-ts-").FullName, "tailscaled.sock");
        // Bound but not listening, like the socket a crashed tailscaled leaves (.NET unlinks it on dispose, so it stays open).
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        using var client = new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = path });

        var ex = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => client.GetStatusAsync(Token));

        Assert.Equal($"tailscaled is not running (nothing listens on {path})", ex.Message);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Theory]
    [InlineData("<html>proxy error</html>")]
    [InlineData("{\"BackendState\": 5}")]
    [InlineData("")]
    [InlineData("null")]
    public async Task FakeTailscaled_answer_that_is_not_status_JSON_is_a_clear_error(string body)
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy) { StatusBodyOverride = body };
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => client.GetStatusAsync(Token));

        Assert.Equal(TailscaleLocalApiError.BadAnswer, ex.Error);
        Assert.StartsWith("tailscaled's status answer is ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task FakeTailscaled_that_never_answers_times_out_on_the_time_provider()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy) { Hang = true };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var client = Client(fake, time);

        var status = client.GetStatusAsync(Token);
        for (int i = 0; i < 500 && fake.Requests.IsEmpty && !status.IsCompleted; i++)
            await Task.Delay(10, Token);
        time.Advance(TimeSpan.FromSeconds(5));

        var ex = await Assert.ThrowsAsync<TailscaleLocalApiException>(() => status);
        Assert.Equal(TailscaleLocalApiError.TimedOut, ex.Error);
        Assert.Equal($"tailscaled did not answer GET /localapi/v0/status within 5 s (socket {fake.SocketPath})", ex.Message);
    }

    [Fact]
    public async Task FakeTailscaled_rejects_browser_like_requests_as_tailscaled_does()
    {
        // The fake must hold the client to tailscaled's rules, or the other tests prove nothing.
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(fake.SocketPath), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        });

        using var withOrigin = new HttpRequestMessage(HttpMethod.Get, "http://local-tailscaled.sock/localapi/v0/status");
        withOrigin.Headers.Add("Origin", "http://evil.example");
        using var wrongHost = new HttpRequestMessage(HttpMethod.Get, "http://localhost/localapi/v0/status");
        using var getDebug = new HttpRequestMessage(HttpMethod.Get, "http://local-tailscaled.sock/localapi/v0/debug?action=rebind");

        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(withOrigin, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(wrongHost, Token)).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.SendAsync(getDebug, Token)).StatusCode);
        Assert.Empty(fake.Actions);
    }

    [Fact]
    public async Task FakeTailscaled_mangled_status_JSON_parses_or_gives_the_documented_exception_only()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck);
        using var client = Client(fake);
        var valid = System.Text.Encoding.UTF8.GetString(await new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(fake.SocketPath), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        }).GetByteArrayAsync("http://local-tailscaled.sock/localapi/v0/status", Token));
        var random = new Random(20261126);
        int parsed = 0, rejected = 0;
        for (int i = 0; i < 300; i++)
        {
            var chars = valid.ToCharArray();
            switch (i % 3)
            {
                case 0:
                    chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
                    break;
                case 1:
                    chars = chars[..random.Next(chars.Length)];
                    break;
                default:
                    var at = random.Next(chars.Length);
                    chars = [.. chars[..at], .. "{\"BackendState\":[1,{\"Peer\":7}]}", .. chars[at..]];
                    break;
            }

            fake.StatusBodyOverride = new string(chars);
            try
            {
                await client.GetStatusAsync(Token);
                parsed++;
            }
            catch (TailscaleLocalApiException ex)
            {
                Assert.Equal(TailscaleLocalApiError.BadAnswer, ex.Error);
                Assert.DoesNotContain('\n', ex.Message);
                rejected++;
            }
        }

        Assert.True(parsed > 0 && rejected > 0, $"parsed {parsed}, rejected {rejected}");
    }
}
