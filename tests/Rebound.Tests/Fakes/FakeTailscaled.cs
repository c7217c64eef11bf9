using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Rebound.Tests.Fakes;

/// <summary>
/// Fake of tailscaled's LocalAPI (tailscaled cannot run in a test): real HTTP/1.1 on a unix socket in a
/// temporary directory, following tailscaled's handler rules — 403 "invalid localapi request" for a Host
/// other than <c>local-tailscaled.sock</c> or any Origin/Referer header; <c>/localapi/v0/debug</c> needs
/// write permission (403) and POST (405), answers "done\n"; <c>/localapi/v0/ping</c> needs POST (400
/// "want POST") and <c>ip</c>/<c>type</c>; <c>/localapi/v0/status</c> answers any method with
/// <c>ipnstate.Status</c> JSON (Go field names).
/// Never kinder than the real one (tailscaled's source): <c>rebind</c>, <c>restun</c> and a restart keep UDP port
/// 41641, so after a pinning failover (<see cref="FakeTailscaledBehaviour.Pinned"/>) only a changed source port
/// (<see cref="SourcePortChanged"/>, what hop-port does to the network) brings the direct path and STUN back; its dead
/// control connection still reads as Online (the long-poll's 120 s watchdog has not fired) until a real reconnect:
/// <see cref="TcpReset"/> (reset-tcp), <c>break-tcp-conns</c>, or a restart.
/// </summary>
internal sealed class FakeTailscaled : IAsyncDisposable
{
    public const string OldPublic = "198.51.100.20";
    public const string NewPublic = "203.0.113.20";
    public const string Peer = "100.64.0.2";
    public const string PeerEndpoint = "192.0.2.7:41641";

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly string _directory;
    private readonly Lock _gate = new();
    private string _advertised = OldPublic;
    private string _current = NewPublic;
    private bool _offline;
    private bool _pinned;
    private bool _controlDead;

    /// <param name="behaviour">What a failover does to it (<see cref="PublicAddressChanged"/>) and what brings it back.</param>
    /// <param name="healthyAt">
    /// Start working, advertising this public address (until <see cref="PublicAddressChanged"/>); null: start as
    /// <paramref name="behaviour"/> says (working only when <see cref="FakeTailscaledBehaviour.Healthy"/>).
    /// </param>
    public FakeTailscaled(FakeTailscaledBehaviour behaviour, string? healthyAt = null)
    {
        Behaviour = behaviour;
        if (healthyAt is not null)
            _advertised = _current = healthyAt;
        else if (behaviour != FakeTailscaledBehaviour.Healthy)
            Break();
        else
            _advertised = _current;
        _directory = Directory.CreateTempSubdirectory("rebound-ts-").FullName;
        SocketPath = Path.Combine(_directory, "tailscaled.sock");
        RestartRequestPath = Path.Combine(_directory, "restart-requested");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    public FakeTailscaledBehaviour Behaviour { get; }

    public string SocketPath { get; }

    /// <summary>False: the caller is neither root nor operator, so write endpoints answer 403.</summary>
    public bool PermitWrite { get; set; } = true;

    /// <summary>Answer status with this body instead (e.g. something that is not JSON).</summary>
    public string? StatusBodyOverride { get; set; }

    /// <summary>Accept connections but never answer.</summary>
    public bool Hang { get; set; }

    /// <summary>Every request: "GET /localapi/v0/status".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Debug actions carried out and restarts, in order.</summary>
    public ConcurrentQueue<string> Actions { get; } = new();

    /// <summary>Online, control alive, direct path up, advertising the current public address.</summary>
    public bool Healed
    {
        get
        {
            lock (_gate)
                return !_offline && !_pinned && !_controlDead && _advertised == _current;
        }
    }

    /// <summary>The direct path (and STUN from port 41641) is pinned to the old uplink.</summary>
    public bool Pinned
    {
        get
        {
            lock (_gate)
                return _pinned;
        }
    }

    /// <summary>The control connection is dead (though Self.Online still says true until the watchdog).</summary>
    public bool ControlDead
    {
        get
        {
            lock (_gate)
                return _controlDead;
        }
    }

    /// <summary>
    /// For a restart from another process (a <c>restart_command</c> script): each line appended to this file is one
    /// restart, taken (and the file removed) at the next request, as if the daemon had been restarted in between.
    /// </summary>
    public string RestartRequestPath { get; }

    /// <summary>
    /// The daemon was restarted: control reconnects and it STUNs again, but from port 41641 again, so a pinned
    /// path stays pinned (and STUN with it). A stuck control client comes back, unless it never recovers.
    /// </summary>
    public void Restart()
    {
        Actions.Enqueue("restart");
        lock (_gate)
        {
            if (Behaviour == FakeTailscaledBehaviour.NeverRecovers)
                return;
            _offline = false;
            _controlDead = false;
            Stun();
        }
    }

    /// <summary>
    /// The upstream moved to <paramref name="newPublic"/>; what that breaks is the <see cref="Behaviour"/>'s: Pinned
    /// pins the direct path and STUN and kills the control connection (still Online); Stuck and NeverRecovers go
    /// offline; Healthy (a masquerading router that remaps the flow) finds the new path by itself.
    /// </summary>
    public void PublicAddressChanged(string newPublic)
    {
        lock (_gate)
        {
            _current = newPublic;
            Break();
        }
    }

    /// <summary>What hop-port does: the flows from 41641 leave from another source port, a new flow for the router on the live uplink.</summary>
    public void SourcePortChanged()
    {
        lock (_gate)
            _pinned = false;
    }

    /// <summary>What reset-tcp does: the control and DERP connections get an error and reconnect over the live uplink.</summary>
    public void TcpReset()
    {
        lock (_gate)
            _controlDead = false;
    }

    private void Break()
    {
        switch (Behaviour)
        {
            case FakeTailscaledBehaviour.Healthy:
                _advertised = _current;
                break;
            case FakeTailscaledBehaviour.Pinned:
                _pinned = true;
                _controlDead = true;
                break;
            default:
                _offline = true;
                break;
        }
    }

    /// <summary>A STUN from the magicsock port: answered only when that port's flow is not pinned.</summary>
    private void Stun()
    {
        if (!_pinned)
            _advertised = _current;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            try
            {
                var request = await ReadRequestAsync(stream);
                if (request is null)
                    return;
                if (Hang)
                {
                    Requests.Enqueue($"{request.Value.Method} {request.Value.Path} (not answered)");
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                var (status, contentType, body) = Handle(request.Value);
                var bytes = Encoding.UTF8.GetBytes(body);
                var head = $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(bytes, _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    private readonly record struct Request(string Method, string Path, Dictionary<string, string> Query, Dictionary<string, string> Headers);

    private async Task<Request?> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(buffer))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
                return null;
            buffer.Add(one[0]);
            if (buffer.Count > 65536)
                return null;
        }

        var lines = Encoding.ASCII.GetString([.. buffer]).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[2] != "HTTP/1.1")
            return null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        if (headers.TryGetValue("Content-Length", out var lengthText) && int.TryParse(lengthText, out var length) && length > 0)
            await stream.ReadExactlyAsync(new byte[length], _stop.Token);

        var target = parts[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (question >= 0)
        {
            foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                query[Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq])] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return new Request(parts[0], path, query, headers);
    }

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';

    private (int Status, string ContentType, string Body) Handle(Request request)
    {
        Requests.Enqueue($"{request.Method} {request.Path}");
        TakeRestartRequests();
        const string text = "text/plain; charset=utf-8";
        var host = request.Headers.GetValueOrDefault("Host", "");
        if (request.Headers.ContainsKey("Referer") || request.Headers.ContainsKey("Origin") || host is not ("" or "local-tailscaled.sock"))
            return (403, text, "invalid localapi request\n");

        switch (request.Path)
        {
            case "/localapi/v0/status":
                return (200, "application/json", StatusBodyOverride ?? StatusJson());
            case "/localapi/v0/debug":
                if (!PermitWrite)
                    return (403, text, "debug access denied\n");
                if (request.Method != "POST")
                    return (405, text, "POST required\n");
                var action = request.Query.GetValueOrDefault("action", "");
                if (action is not ("rebind" or "restun" or "break-derp-conns" or "break-tcp-conns"))
                    return (400, text, action.Length == 0 ? "missing parameter 'action'\n" : $"unknown action \"{action}\"\n");
                Actions.Enqueue(action);
                lock (_gate)
                {
                    // rebind binds 41641 again and re-STUNs; restun only re-STUNs; break-tcp-conns reconnects control and DERP.
                    if (action is "rebind" or "restun")
                        Stun();
                    else if (action == "break-tcp-conns")
                        _controlDead = false;
                }

                return (200, "text/plain", "done\n");
            case "/localapi/v0/ping":
                if (request.Method != "POST")
                    return (400, text, "want POST\n");
                var ip = request.Query.GetValueOrDefault("ip", "");
                if (ip.Length == 0)
                    return (400, text, "missing 'ip' parameter\n");
                if (!IPAddress.TryParse(ip, out _))
                    return (400, text, "invalid IP\n");
                if (request.Query.GetValueOrDefault("type", "").Length == 0)
                    return (400, text, "missing 'type' parameter\n");
                if (ip != Peer)
                    return (500, "application/json", "{\"error\":\"no matching peer\"}\n");
                bool pinned, dead;
                lock (_gate)
                    (pinned, dead) = (_pinned, _controlDead || _offline);
                // A disco ping goes over UDP and DERP; the first pong wins. Pinned: only DERP can answer, and only when alive.
                return (200, "application/json", !pinned
                    ? $$"""{"IP":"{{Peer}}","NodeIP":"{{Peer}}","NodeName":"laptop.example.ts.net.","LatencySeconds":0.0123,"Endpoint":"{{PeerEndpoint}}","DERPRegionID":0}"""
                    : !dead
                        ? $$"""{"IP":"{{Peer}}","NodeIP":"{{Peer}}","NodeName":"laptop.example.ts.net.","LatencySeconds":0.0456,"Endpoint":"","DERPRegionID":1,"DERPRegionCode":"fra"}"""
                        : $$"""{"IP":"{{Peer}}","NodeIP":"{{Peer}}","NodeName":"laptop.example.ts.net.","Err":"timeout waiting for pong","LatencySeconds":0,"DERPRegionID":0}""");
            default:
                return (404, text, "404 page not found\n");
        }
    }

    private void TakeRestartRequests()
    {
        // Moved first, so a line appended while we read is not lost, and two requests never take one restart twice.
        var taken = RestartRequestPath + "." + Guid.NewGuid().ToString("N");
        string[] lines;
        try
        {
            File.Move(RestartRequestPath, taken);
            lines = File.ReadAllLines(taken);
            File.Delete(taken);
        }
        catch (IOException)
        {
            return;
        }

        foreach (var _ in lines.Where(l => l.Length > 0))
            Restart();
    }

    private string StatusJson()
    {
        bool online, pinned;
        string publicAddress;
        lock (_gate)
            (online, pinned, publicAddress) = (!_offline, _pinned, _advertised);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("Version", "1.90.0-fake");
            json.WriteBoolean("TUN", true);
            json.WriteString("BackendState", "Running");
            json.WriteBoolean("HaveNodeKey", true);
            json.WriteString("AuthURL", "");
            json.WriteStartArray("TailscaleIPs");
            json.WriteStringValue("100.64.0.1");
            json.WriteEndArray();
            json.WriteStartObject("Self");
            WritePeer(json, "gateway", "100.64.0.1", online: online, addrs: [$"{publicAddress}:41641", "192.168.1.10:41641"], curAddr: "", relay: "fra", handshake: "0001-01-01T00:00:00Z");
            json.WriteEndObject();
            json.WriteStartArray("Health");
            if (!online)
                json.WriteStringValue("Unable to connect to the Tailscale coordination server to synchronize the state of your tailnet.");
            json.WriteEndArray();
            json.WriteString("MagicDNSSuffix", "example.ts.net");
            json.WriteStartObject("Peer");
            json.WriteStartObject("nodekey:0000000000000000000000000000000000000000000000000000000000000002");
            WritePeer(json, "laptop", Peer, online: true, addrs: [PeerEndpoint], curAddr: pinned ? "" : PeerEndpoint, relay: "fra",
                handshake: "2026-11-26T06:00:00.123456789Z");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WritePeer(Utf8JsonWriter json, string hostName, string ip, bool online, string[] addrs, string curAddr, string relay, string handshake)
    {
        json.WriteString("ID", "n" + hostName);
        json.WriteString("PublicKey", "nodekey:00");
        json.WriteString("HostName", hostName);
        json.WriteString("DNSName", hostName + ".example.ts.net.");
        json.WriteString("OS", "linux");
        json.WriteNumber("UserID", 1);
        json.WriteStartArray("TailscaleIPs");
        json.WriteStringValue(ip);
        json.WriteEndArray();
        json.WriteStartArray("Addrs");
        foreach (var addr in addrs)
            json.WriteStringValue(addr);
        json.WriteEndArray();
        json.WriteString("CurAddr", curAddr);
        json.WriteString("Relay", relay);
        json.WriteNumber("RxBytes", 1234);
        json.WriteNumber("TxBytes", 5678);
        json.WriteString("Created", "2026-01-01T00:00:00Z");
        json.WriteString("LastWrite", "0001-01-01T00:00:00Z");
        json.WriteString("LastSeen", "0001-01-01T00:00:00Z");
        json.WriteString("LastHandshake", handshake);
        json.WriteBoolean("Online", online);
        json.WriteBoolean("ExitNode", false);
        json.WriteBoolean("Active", true);
        json.WriteBoolean("InNetworkMap", true);
        json.WriteBoolean("InMagicSock", true);
        json.WriteBoolean("InEngine", true);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };
}

public enum FakeTailscaledBehaviour
{
    /// <summary>A failover behind a masquerading router: the flows are remapped, it finds the new path by itself.</summary>
    Healthy,

    /// <summary>A failover behind static SNAT or connection marks: direct path and STUN pinned, control dead but Online.</summary>
    Pinned,

    /// <summary>Self.Online false and Self.Addrs stale until a restart.</summary>
    Stuck,

    /// <summary>Like <see cref="Stuck"/>, but a restart does not help either.</summary>
    NeverRecovers,
}
