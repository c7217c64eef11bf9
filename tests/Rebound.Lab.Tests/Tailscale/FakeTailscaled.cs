using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rebound.Lab.Tests.Harness;
using Rebound.Sense.Stun;

namespace Rebound.Lab.Tests.Tailscale;

/// <summary>
/// A fake tailscaled on the lab's LAN host (the real one cannot be installed here), built from tailscaled's source
/// and never kinder than it. Its sockets live in the LAN namespace and everything goes through the lab router:
/// <list type="bullet">
/// <item>magicsock: one UDP socket on port 41641 (the packages' <c>PORT="41641"</c>). <c>rebind</c> closes it and binds
/// the same port again (<c>bindSocket</c> tries the configured port first), forgets every peer's best address
/// (<c>resetEndpointStates</c>) and re-STUNs; a restart binds 41641 again too. So a pinned 5-tuple stays pinned.</item>
/// <item>direct path: a disco-style ping to the peer every 3 s (<c>heartbeatInterval</c>); the peer's address is the
/// current one (<c>CurAddr</c>) for 6.5 s after a pong (<c>trustUDPAddrDuration</c>), else the peer is relayed.</item>
/// <item>STUN from the magicsock socket to the lab's coturn every 20-26 s and on <c>restun</c>/<c>rebind</c>: what
/// it answers is <c>Self.Addrs</c>.</item>
/// <item>DERP and control: real TCP connections to <see cref="FakeTailnet"/>, each read with a 120 s deadline
/// (<c>derp_client.go</c> <c>Recv</c>; <c>direct.go</c> <c>watchdogTimeout</c>), reconnecting 1 s after an error.
/// <c>Self.Online</c> is "in the map long-poll" (<c>GetInPollNetMap</c>): it stays true on a dead connection until
/// the deadline fires. <c>rebind</c> closes DERP only when the default interface's addresses changed (they do not
/// here); <c>break-derp-conns</c> closes it, <c>break-tcp-conns</c> closes both.</item>
/// <item>LocalAPI over a unix socket: <c>status</c>, <c>ping</c> (disco: direct or via DERP, 5 s timeout), <c>debug</c>.</item>
/// </list>
/// </summary>
public sealed class FakeTailscaled : IAsyncDisposable
{
    public const int Port = 41641;
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan TrustUdpAddr = TimeSpan.FromMilliseconds(6500);
    public static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    private static readonly IPEndPoint PeerEndpoint = new(IPAddress.Parse(FakeTailnet.PeerAddress), FakeTailnet.PeerPort);
    private static readonly IPEndPoint Stun = IPEndPoint.Parse(FailoverLab.Stun1);

    private readonly FailoverLab _lab;
    private readonly string _directory;
    private readonly Socket _localApi;
    private readonly Lock _gate = new();
    private CancellationTokenSource _run = new();
    private Socket _udp = null!;
    private Session? _derpSession;
    private Session? _controlSession;
    private DateTimeOffset _lastPong = DateTimeOffset.MinValue;
    private IPEndPoint? _stunMapped;
    private StunTransactionId _stunTx;
    private readonly Dictionary<string, TaskCompletionSource<string>> _pendingPings = [];
    private readonly Dictionary<string, DateTimeOffset> _pingSent = [];
    private readonly List<(DateTimeOffset Sent, DateTimeOffset Pong)> _pongs = [];
    private readonly List<(DateTimeOffset Connected, DateTimeOffset Heard)> _controlHeard = [];
    private readonly List<Task> _loops = [];
    private int _sequence;

    private FakeTailscaled(FailoverLab lab)
    {
        _lab = lab;
        _directory = Directory.CreateTempSubdirectory("rebound-fakets-").FullName;
        SocketPath = Path.Combine(_directory, "tailscaled.sock");
        RestartRequestPath = Path.Combine(_directory, "restart-requested");
        _localApi = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _localApi.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _localApi.Listen(16);
        _ = ServeLocalApiAsync();
    }

    public string SocketPath { get; }

    /// <summary>A <c>restart_command</c> appends a line here; the fake restarts (same port) when it sees it.</summary>
    public string RestartRequestPath { get; }

    /// <summary>Debug actions and restarts, in order.</summary>
    public List<string> Actions { get; } = [];

    public static async Task<FakeTailscaled> StartAsync(FailoverLab lab)
    {
        var daemon = new FakeTailscaled(lab);
        daemon.Begin();
        _ = daemon.WatchRestartRequestsAsync();
        await daemon.WaitUntilAsync(s => s.Direct && s.ControlOnline && s.DerpConnected, TimeSpan.FromSeconds(10));
        return daemon;
    }

    /// <summary>What the status answer would say now.</summary>
    public Snapshot Now()
    {
        lock (_gate)
        {
            var direct = DateTimeOffset.UtcNow - _lastPong < TrustUdpAddr;
            return new Snapshot(direct, _controlSession?.HeardFrom == true, _derpSession?.HeardFrom == true, _stunMapped);
        }
    }

    /// <summary>When the direct path came back after <paramref name="since"/>: the first pong to a ping sent after it; null: not yet.</summary>
    public DateTimeOffset? DirectBackAt(DateTimeOffset since)
    {
        lock (_gate)
            return _pongs.Where(p => p.Sent > since).Select(p => (DateTimeOffset?)p.Pong).FirstOrDefault();
    }

    /// <summary>When control came back after <paramref name="since"/>: the server first heard on a connection opened after it; null: not yet.</summary>
    public DateTimeOffset? ControlBackAt(DateTimeOffset since)
    {
        lock (_gate)
            return _controlHeard.Where(c => c.Connected > since).Select(c => (DateTimeOffset?)c.Heard).FirstOrDefault();
    }

    public async Task<Snapshot?> WaitUntilAsync(Func<Snapshot, bool> condition, TimeSpan within)
    {
        var until = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < until)
        {
            var now = Now();
            if (condition(now))
                return now;
            await Task.Delay(100);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _localApi.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Like a restart of tailscaled: everything closed, then opened again, 41641 included.</summary>
    public async Task RestartAsync()
    {
        lock (_gate)
            Actions.Add("restart");
        await StopAsync();
        _run = new CancellationTokenSource();
        Begin();
    }

    private void Begin()
    {
        var token = _run.Token;
        lock (_gate)
        {
            _lastPong = DateTimeOffset.MinValue;
            _udp = BindMagicsock();
        }

        _loops.Add(UdpReceiveLoopAsync(token));
        _loops.Add(HeartbeatLoopAsync(token));
        _loops.Add(PeriodicStunLoopAsync(token));
        _loops.Add(SessionLoopAsync("derp", FakeTailnet.DerpPort, null, s => _derpSession = s, token));
        _loops.Add(SessionLoopAsync("control", FakeTailnet.ControlPort, "POST /machine/map\n", s => _controlSession = s, token));
    }

    private async Task StopAsync()
    {
        await _run.CancelAsync();
        lock (_gate)
        {
            _udp.Dispose();
            _derpSession?.Socket.Dispose();
            _controlSession?.Socket.Dispose();
            _derpSession = null;
            _controlSession = null;
        }

        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _loops.Clear();
        _run.Dispose();
    }

    /// <summary>Port 41641, as bindSocket's first choice; SO_REUSEADDR is not set, as magicsock does not.</summary>
    private Socket BindMagicsock()
    {
        var udp = _lab.InNamespace("lan", () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        udp.Bind(new IPEndPoint(IPAddress.Any, Port));
        return udp;
    }

    /// <summary><c>rebind</c>: same port again, best addresses forgotten, then a re-STUN. DERP stays: the LAN address did not change.</summary>
    private void Rebind()
    {
        lock (_gate)
        {
            _udp.Dispose();
            _udp = BindMagicsock();
            _lastPong = DateTimeOffset.MinValue;
        }

        _loops.Add(UdpReceiveLoopAsync(_run.Token));
        SendStun();
    }

    private async Task UdpReceiveLoopAsync(CancellationToken token)
    {
        Socket udp;
        lock (_gate)
            udp = _udp;
        var buffer = new byte[1500];
        while (!token.IsCancellationRequested)
        {
            SocketReceiveFromResult got;
            try
            {
                got = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var datagram = buffer.AsSpan(0, got.ReceivedBytes);
            if (StunMessageParser.TryParse(datagram, out var stun, out _))
            {
                lock (_gate)
                {
                    if (stun.TransactionId == _stunTx && stun.ReflexiveAddress is { } mapped)
                        _stunMapped = mapped;
                }

                continue;
            }

            var text = Encoding.ASCII.GetString(datagram);
            if (!text.StartsWith("pong ", StringComparison.Ordinal) || !got.RemoteEndPoint.Equals(PeerEndpoint))
                continue;
            var id = text.Split(' ')[1];
            TaskCompletionSource<string>? waiter;
            lock (_gate)
            {
                _lastPong = DateTimeOffset.UtcNow;
                _pendingPings.Remove(id, out waiter);
                if (_pingSent.Remove(id, out var sent))
                    _pongs.Add((sent, _lastPong));
            }

            waiter?.TrySetResult(PeerEndpoint.ToString());
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            SendPing(null);
            try
            {
                await Task.Delay(Heartbeat, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void SendPing(string? id)
    {
        id ??= "hb" + Interlocked.Increment(ref _sequence);
        try
        {
            Socket udp;
            lock (_gate)
            {
                udp = _udp;
                _pingSent[id] = DateTimeOffset.UtcNow;
            }

            udp.SendTo(Encoding.ASCII.GetBytes("ping " + id), PeerEndpoint);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PeriodicStunLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            SendStun();
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20000, 26000)), token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void SendStun()
    {
        var request = new byte[64];
        var tx = StunTransactionId.NewRandom();
        var length = StunMessageWriter.WriteBindingRequest(request, tx);
        try
        {
            Socket udp;
            lock (_gate)
            {
                _stunTx = tx;
                udp = _udp;
            }

            udp.SendTo(request.AsSpan(0, length), Stun);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>One TCP session (DERP or the control long-poll): connect, read with the 120 s deadline, reconnect after an error.</summary>
    private async Task SessionLoopAsync(string name, int port, string? request, Action<Session?> publish, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var socket = _lab.InNamespace("lan", () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            var session = new Session(socket);
            try
            {
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    connect.CancelAfter(TimeSpan.FromSeconds(10));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(FakeTailnet.ServerAddress), port), connect.Token);
                }

                lock (_gate)
                    publish(session);
                if (request is not null)
                    await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, token);
                var buffer = new byte[256];
                var connected = DateTimeOffset.UtcNow;
                while (true)
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
                    deadline.CancelAfter(ReadDeadline);
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                    if (n == 0)
                        break;
                    if (!session.HeardFrom && name == "control")
                    {
                        lock (_gate)
                            _controlHeard.Add((connected, DateTimeOffset.UtcNow));
                    }

                    session.HeardFrom = true;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The deadline, a reset (SOCK_DESTROY hands the owner ECONNABORTED), or a close: reconnect.
            }

            lock (_gate)
            {
                publish(null);
                socket.Dispose();
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchRestartRequestsAsync()
    {
        while (true)
        {
            try
            {
                await Task.Delay(100);
                if (!File.Exists(RestartRequestPath))
                {
                    if (!File.Exists(SocketPath))
                        return; // disposed
                    continue;
                }

                File.Delete(RestartRequestPath);
                await RestartAsync();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task ServeLocalApiAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _localApi.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeClientAsync(client));
        }
    }

    private async Task ServeClientAsync(Socket client)
    {
        using (client)
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            try
            {
                var head = new List<byte>();
                var one = new byte[1];
                while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
                {
                    if (await stream.ReadAsync(one) == 0 || head.Count > 65536)
                        return;
                    head.Add(one[0]);
                }

                var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
                var parts = lines[0].Split(' ');
                var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                if (length > 0)
                    await stream.ReadExactlyAsync(new byte[length]);
                var (status, type, body) = await HandleAsync(parts[0], parts[1]);
                var bytes = Encoding.UTF8.GetBytes(body);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(bytes);
            }
            catch (Exception ex) when (ex is IOException or SocketException or FormatException)
            {
            }
        }
    }

    private async Task<(int, string, string)> HandleAsync(string method, string target)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = (question < 0 ? "" : target[(question + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "");
        switch (path)
        {
            case "/localapi/v0/status":
                return (200, "application/json", StatusJson());
            case "/localapi/v0/debug" when method == "POST":
                var action = query.GetValueOrDefault("action", "");
                lock (_gate)
                    Actions.Add(action);
                switch (action)
                {
                    case "rebind":
                        Rebind();
                        break;
                    case "restun":
                        SendStun();
                        break;
                    case "break-derp-conns":
                        lock (_gate)
                            _derpSession?.Socket.Dispose();
                        break;
                    case "break-tcp-conns":
                        lock (_gate)
                        {
                            _derpSession?.Socket.Dispose();
                            _controlSession?.Socket.Dispose();
                        }

                        break;
                    default:
                        return (400, "text/plain", $"unknown action \"{action}\"\n");
                }

                return (200, "text/plain", "done\n");
            case "/localapi/v0/ping" when method == "POST":
                if (query.GetValueOrDefault("ip") != FakeTailnet.PeerTailscaleIp)
                    return (500, "application/json", "{\"error\":\"no matching peer\"}\n");
                return (200, "application/json", await PingJsonAsync());
            default:
                return (404, "text/plain", "404 page not found\n");
        }
    }

    /// <summary>A disco ping: direct when the pong comes back over UDP, else via DERP when connected, else a timeout.</summary>
    private async Task<string> PingJsonAsync()
    {
        var id = "lp" + Interlocked.Increment(ref _sequence);
        var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
            _pendingPings[id] = waiter;
        var started = DateTimeOffset.UtcNow;
        SendPing(id);
        var done = await Task.WhenAny(waiter.Task, Task.Delay(PingTimeout));
        lock (_gate)
            _pendingPings.Remove(id);
        var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("IP", FakeTailnet.PeerTailscaleIp);
            json.WriteString("NodeName", "peer.lab.ts.net.");
            if (done == waiter.Task)
            {
                json.WriteNumber("LatencySeconds", seconds);
                json.WriteString("Endpoint", waiter.Task.Result);
                json.WriteNumber("DERPRegionID", 0);
            }
            else if (Now().DerpConnected)
            {
                json.WriteNumber("LatencySeconds", seconds);
                json.WriteString("Endpoint", "");
                json.WriteNumber("DERPRegionID", 900);
            }
            else
            {
                json.WriteString("Err", "timeout waiting for pong");
                json.WriteNumber("LatencySeconds", 0);
                json.WriteNumber("DERPRegionID", 0);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private string StatusJson()
    {
        var now = Now();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Version", "1.90.0-fake");
            json.WriteString("BackendState", "Running");
            json.WriteStartArray("TailscaleIPs");
            json.WriteStringValue("100.64.0.1");
            json.WriteEndArray();
            json.WriteStartObject("Self");
            json.WriteString("HostName", "lan");
            json.WriteStartArray("TailscaleIPs");
            json.WriteStringValue("100.64.0.1");
            json.WriteEndArray();
            json.WriteStartArray("Addrs");
            if (now.StunMapped is { } mapped)
                json.WriteStringValue(mapped.ToString());
            json.WriteStringValue($"10.77.0.2:{Port}");
            json.WriteEndArray();
            json.WriteString("CurAddr", "");
            json.WriteString("Relay", "lab");
            json.WriteBoolean("Online", now.ControlOnline);
            json.WriteEndObject();
            json.WriteStartArray("Health");
            if (!now.ControlOnline)
                json.WriteStringValue("Unable to connect to the Tailscale coordination server to synchronize the state of your tailnet.");
            if (!now.DerpConnected)
                json.WriteStringValue("Tailscale could not connect to the 'lab' relay server.");
            json.WriteEndArray();
            json.WriteStartObject("Peer");
            json.WriteStartObject("nodekey:0000000000000000000000000000000000000000000000000000000000000002");
            json.WriteString("HostName", "peer");
            json.WriteStartArray("TailscaleIPs");
            json.WriteStringValue(FakeTailnet.PeerTailscaleIp);
            json.WriteEndArray();
            json.WriteStartArray("Addrs");
            json.WriteStringValue(PeerEndpoint.ToString());
            json.WriteEndArray();
            json.WriteString("CurAddr", now.Direct ? PeerEndpoint.ToString() : "");
            json.WriteString("Relay", "lab");
            json.WriteBoolean("Online", true);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A live DERP or control connection; <see cref="HeardFrom"/> once the server said something on it.</summary>
    private sealed class Session(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public volatile bool HeardFrom;
    }

    /// <param name="Direct">A pong from the peer within the last 6.5 s.</param>
    public sealed record Snapshot(bool Direct, bool ControlOnline, bool DerpConnected, IPEndPoint? StunMapped);
}
