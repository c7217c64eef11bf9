using System.Net;
using System.Net.Sockets;
using System.Text;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Tailscale;

/// <summary>
/// The far side of a fake tailnet in the lab's internet namespace (tailscaled and its servers cannot be installed
/// here): a peer answering disco-style pings on UDP 203.0.113.41:41641 (to whatever address the ping came from, as
/// a real peer's pong goes to the ping's source), a DERP server (TCP 203.0.113.42:443) that sends a keepalive
/// frame every <see cref="KeepAliveInterval"/> (the real one: 60 s), and a control server (TCP 203.0.113.42:80)
/// that answers a long-poll with a map, then keepalives at that interval. Everything the LAN host's
/// <see cref="FakeTailscaled"/> says goes through the lab router, so the network decides whether a path is pinned.
/// </summary>
public sealed class FakeTailnet : IAsyncDisposable
{
    public const string PeerAddress = "203.0.113.41";
    public const string ServerAddress = "203.0.113.42";
    public const int PeerPort = 41641;
    public const int DerpPort = 443;
    public const int ControlPort = 80;

    /// <summary>The peer's Tailscale IP, what <c>ping_peers</c> names.</summary>
    public const string PeerTailscaleIp = "100.64.0.2";

    private readonly FailoverLab _lab;
    private readonly Socket _peer;
    private readonly Socket _derp;
    private readonly Socket _control;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Lock _gate = new();
    private IPEndPoint? _lastPingFrom;

    private FakeTailnet(FailoverLab lab, Socket peer, Socket derp, Socket control, TimeSpan keepAlive)
    {
        _lab = lab;
        _peer = peer;
        _derp = derp;
        _control = control;
        KeepAliveInterval = keepAlive;
        _loops.Add(PeerLoopAsync());
        _loops.Add(AcceptLoopAsync(derp, ServeDerpAsync));
        _loops.Add(AcceptLoopAsync(control, ServeControlAsync));
    }

    public TimeSpan KeepAliveInterval { get; }

    /// <summary>Where the last ping came from, as the peer sees it (after the router's NAT).</summary>
    public IPEndPoint? LastPingFrom
    {
        get
        {
            lock (_gate)
                return _lastPingFrom;
        }
    }

    /// <summary>Connections the servers accepted, each "derp 192.0.2.2:40123" (as the server sees the client).</summary>
    public List<string> Accepted { get; } = [];

    /// <param name="keepAlive">The servers' keepalive interval; 60 s as the real ones, shorter only to keep a test short.</param>
    public static async Task<FakeTailnet> StartAsync(FailoverLab lab, TimeSpan? keepAlive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        foreach (var address in new[] { PeerAddress, ServerAddress })
            await lab.ExecAsync("internet", ["ip", "addr", "replace", $"{address}/32", "dev", "lo"], cancellationToken);
        var peer = lab.InNamespace("internet", () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        peer.Bind(new IPEndPoint(IPAddress.Parse(PeerAddress), PeerPort));
        var derp = lab.InNamespace("internet", () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        derp.Bind(new IPEndPoint(IPAddress.Parse(ServerAddress), DerpPort));
        derp.Listen(16);
        var control = lab.InNamespace("internet", () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        control.Bind(new IPEndPoint(IPAddress.Parse(ServerAddress), ControlPort));
        control.Listen(16);
        return new FakeTailnet(lab, peer, derp, control, keepAlive ?? TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _peer.Dispose();
        _derp.Dispose();
        _control.Dispose();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
        foreach (var address in new[] { PeerAddress, ServerAddress })
            await _lab.ExecAsync("internet", ["ip", "addr", "del", $"{address}/32", "dev", "lo"], CancellationToken.None);
    }

    private async Task PeerLoopAsync()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult got;
            try
            {
                got = await _peer.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, got.ReceivedBytes);
            if (!text.StartsWith("ping ", StringComparison.Ordinal))
                continue;
            var from = (IPEndPoint)got.RemoteEndPoint;
            lock (_gate)
                _lastPingFrom = from;
            // The pong says where the ping came from, as disco's pong carries the source it saw.
            var pong = Encoding.ASCII.GetBytes($"pong {text[5..]} {from}");
            try
            {
                await _peer.SendToAsync(pong, SocketFlags.None, from, _stop.Token);
            }
            catch (SocketException)
            {
            }
        }
    }

    private async Task AcceptLoopAsync(Socket listener, Func<Socket, Task> serve)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
                Accepted.Add($"{(listener == _derp ? "derp" : "control")} {client.RemoteEndPoint}");
            _ = Task.Run(() => serve(client));
        }
    }

    /// <summary>DERP: a keepalive frame at once and then every interval; what the client sends is read and dropped.</summary>
    private Task ServeDerpAsync(Socket client) => ServeAsync(client, "derp-keepalive\n", null);

    /// <summary>Control: the long-poll's request line, then the map, then keepalive map responses.</summary>
    private Task ServeControlAsync(Socket client) => ServeAsync(client, "keepalive\n", "map\n");

    private async Task ServeAsync(Socket client, string keepAlive, string? first)
    {
        using (client)
        {
            var reading = DrainAsync(client);
            try
            {
                if (first is not null)
                    await client.SendAsync(Encoding.ASCII.GetBytes(first), SocketFlags.None, _stop.Token);
                while (!_stop.IsCancellationRequested && !reading.IsCompleted)
                {
                    await client.SendAsync(Encoding.ASCII.GetBytes(keepAlive), SocketFlags.None, _stop.Token);
                    await Task.WhenAny(reading, Task.Delay(KeepAliveInterval, _stop.Token));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task DrainAsync(Socket client)
    {
        var buffer = new byte[512];
        try
        {
            while (await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
