using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Rebound.Sense.RouterHints;

/// <summary>
/// Listens on 224.0.0.1:5350 for NAT-PMP/PCP announcements. Anyone on the LAN can send these,
/// so only datagrams from a current default gateway are passed on, and even those are only hints.
/// </summary>
public sealed class RouterAnnouncementListener : IRouterHintSource
{
    private static readonly IPAddress AllHosts = IPAddress.Parse("224.0.0.1");

    private readonly Channel<RouterHint> _hints = Channel.CreateBounded<RouterHint>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly int _port;
    private Socket? _socket;
    private Task _receiveLoop = Task.CompletedTask;

    private readonly TimeProvider _time;

    public RouterAnnouncementListener(int port = RouterAnnouncementCodec.AnnouncementPort, TimeProvider? timeProvider = null)
    {
        _port = port;
        _time = timeProvider ?? TimeProvider.System;
    }

    public ChannelReader<RouterHint> Hints => _hints.Reader;

    /// <summary>Datagrams dropped because they were malformed or not from the gateway; for diagnostics.</summary>
    public int Ignored { get; private set; }

    public bool Start(Func<IReadOnlyCollection<IPAddress>> trustedGateways, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(trustedGateways);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var bound = false;
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, _port));
            bound = true;
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(AllHosts));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            // Joining fails with ENODEV ("Unknown socket error") where no interface takes multicast, e.g. only lo.
            problem = bound
                ? $"router announcements (NAT-PMP/PCP to {AllHosts}:{_port}) are not heard: no interface here can join {AllHosts} (only loopback, or no multicast route); STUN alone still detects every change"
                : $"router announcements (NAT-PMP/PCP, udp/{_port}) are not heard: {ex.Message}; STUN alone still detects every change";
            return false;
        }

        _socket = socket;
        _receiveLoop = ReceiveLoopAsync(socket, trustedGateways, _stop.Token);
        problem = null;
        return true;
    }

    private async Task ReceiveLoopAsync(Socket socket, Func<IReadOnlyCollection<IPAddress>> trustedGateways, CancellationToken ct)
    {
        var buffer = new byte[1100]; // PCP's maximum message size
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A persistent socket error must not spin a core.
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ContinueWith(static _ => { }, TaskScheduler.Default);
                continue;
            }

            var source = ((IPEndPoint)received.RemoteEndPoint).Address;
            if (!trustedGateways().Contains(source)
                || !RouterAnnouncementCodec.TryParse(buffer.AsSpan(0, received.ReceivedBytes), source, out var hint))
            {
                Ignored++;
                continue;
            }

            _hints.Writer.TryWrite(hint!);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket?.Dispose();
        await _receiveLoop;
        _stop.Dispose();
        _hints.Writer.TryComplete();
    }
}
