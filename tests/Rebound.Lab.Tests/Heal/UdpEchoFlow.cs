using System.Net;
using System.Net.Sockets;
using Rebound.Lab.Tests.Harness;
using Rebound.Transport;

namespace Rebound.Lab.Tests.Heal;

/// <summary>
/// A plain UDP daemon Rebound knows nothing about: an echo server on 203.0.113.40:7777 in the lab internet, and a
/// client on the LAN host sending from the fixed port 10.77.0.2:4242 every 100 ms (one flow, like a game client or
/// an overlay node). <see cref="AnswersWithinAsync"/> says whether echoes arrive.
/// </summary>
internal sealed class UdpEchoFlow : IAsyncDisposable
{
    public const string ServerAddress = "203.0.113.40";
    public const int ServerPort = 7777;
    public const int LocalPort = 4242;

    private readonly Socket _server;
    private readonly Socket _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private long _lastReplyTicks;
    private int _disposed;
    private string? _lastSeenFrom;

    private UdpEchoFlow(Socket server, Socket client)
    {
        _server = server;
        _client = client;
        _loops = [Task.Run(EchoAsync), Task.Run(SendAsync), Task.Run(ReceiveAsync)];
    }

    /// <summary>Where the server saw the last packet from (the flow's public address and port).</summary>
    public string? LastSeenFrom => Volatile.Read(ref _lastSeenFrom);

    public static async Task<UdpEchoFlow> StartAsync(FailoverLab lab, CancellationToken ct)
    {
        await lab.ExecAsync("internet", ["ip", "addr", "replace", $"{ServerAddress}/32", "dev", "lo"], ct);
        var server = Bind(lab.InternetNamespace, new IPEndPoint(IPAddress.Parse(ServerAddress), ServerPort));
        var client = Bind(lab.LanNamespace, new IPEndPoint(IPAddress.Any, LocalPort));
        var flow = new UdpEchoFlow(server, client);
        Assert.True(await flow.AnswersWithinAsync(TimeSpan.FromSeconds(3), ct), "the echo flow did not answer before the failover");
        return flow;
    }

    /// <summary>Whether an echo arrives within <paramref name="timeout"/> from now.</summary>
    public async Task<bool> AnswersWithinAsync(TimeSpan timeout, CancellationToken ct)
    {
        var since = DateTime.UtcNow.Ticks;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Interlocked.Read(ref _lastReplyTicks) > since)
                return true;
            await Task.Delay(20, ct);
        }

        return false;
    }

    /// <summary>Whether every window of <paramref name="window"/> over <paramref name="period"/> saw an echo.</summary>
    public async Task<bool> KeepsAnsweringAsync(TimeSpan period, TimeSpan window, CancellationToken ct)
    {
        var end = DateTime.UtcNow + period;
        while (DateTime.UtcNow < end)
        {
            if (!await AnswersWithinAsync(window, ct))
                return false;
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stop.CancelAsync();
        _client.Dispose();
        _server.Dispose();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or TimeoutException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private static Socket Bind(string ns, IPEndPoint bind) =>
        NetworkNamespace.Run($"/var/run/netns/{ns}", () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(bind);
            return socket;
        });

    private async Task EchoAsync()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            var r = await _server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            Volatile.Write(ref _lastSeenFrom, r.RemoteEndPoint.ToString());
            await _server.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), r.RemoteEndPoint, _stop.Token);
        }
    }

    private async Task SendAsync()
    {
        var to = new IPEndPoint(IPAddress.Parse(ServerAddress), ServerPort);
        var seq = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _client.SendToAsync(BitConverter.GetBytes(seq++), to, _stop.Token);
            }
            catch (SocketException)
            {
                // Unreachable for a moment (a route switching): keep sending, as a daemon would.
            }

            await Task.Delay(100, _stop.Token);
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _client.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Exchange(ref _lastReplyTicks, DateTime.UtcNow.Ticks);
            }
            catch (SocketException)
            {
                // ICMP errors surface here on Linux; keep listening.
            }
        }
    }
}
