using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Sense.Stun;

/// <summary>
/// A loopback STUN server for prober tests. It records every request and lets each test decide how
/// (and from where) to answer; by default it answers a Binding success carrying the request's source.
/// </summary>
internal sealed class FakeStunServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Socket _spoofSocket;
    private readonly Func<FakeStunServer, ReceivedRequest, Task> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeStunServer(IPAddress address, Func<FakeStunServer, ReceivedRequest, Task>? respond = null)
    {
        _socket = Bind(address);
        _spoofSocket = Bind(address);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _respond = respond ?? ((server, request) => server.ReplyAsync(request, SuccessFor(request, request.From)));
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public StunServer AsStunServer() => new($"fake:{EndPoint.Port}", EndPoint);

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public static byte[] SuccessFor(ReceivedRequest request, IPEndPoint mapped) =>
        Written(buffer => StunMessageWriter.WriteBindingSuccessResponse(buffer, request.Message.TransactionId, mapped, "fake", fingerprint: true));

    public static byte[] ErrorFor(ReceivedRequest request, int code, string reason) =>
        Written(buffer => StunMessageWriter.WriteBindingErrorResponse(buffer, request.Message.TransactionId, code, reason));

    public Task ReplyAsync(ReceivedRequest request, byte[] datagram) =>
        _socket.SendToAsync(datagram, SocketFlags.None, request.From);

    /// <summary>Sends from a second socket on the same address but another port: what a spoofer would do.</summary>
    public Task ReplyFromOtherPortAsync(ReceivedRequest request, byte[] datagram) =>
        _spoofSocket.SendToAsync(datagram, SocketFlags.None, request.From);

    /// <summary>Waits (briefly) until at least <paramref name="count"/> requests have arrived.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Requests.Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(10);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        _spoofSocket.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // expected on shutdown
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[StunConstants.MaxDatagramLength];
        EndPoint any = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var datagram = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            if (!StunMessageParser.TryParse(datagram, out var message, out _))
                continue;
            var request = new ReceivedRequest(message, (IPEndPoint)received.RemoteEndPoint, datagram);
            Requests.Enqueue(request);
            await _respond(this, request);
        }
    }

    private static Socket Bind(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    private static byte[] Written(Func<byte[], int> write)
    {
        var buffer = new byte[StunConstants.MaxDatagramLength];
        return buffer[..write(buffer)];
    }
}

internal sealed record ReceivedRequest(StunMessage Message, IPEndPoint From, byte[] Datagram);
