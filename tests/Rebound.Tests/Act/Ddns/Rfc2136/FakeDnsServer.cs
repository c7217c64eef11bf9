using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Tests.Act.Ddns.Rfc2136;

/// <summary>A loopback DNS server on one port for UDP and TCP; the test decides each answer (null = stay silent).</summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly Func<Request, IEnumerable<byte[]>> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _udpLoop;
    private readonly Task _tcpLoop;

    public FakeDnsServer(Func<Request, IEnumerable<byte[]>> respond)
    {
        _respond = respond;
        (_udp, _tcp) = BindPair();
        EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        _udpLoop = Task.Run(UdpLoopAsync);
        _tcpLoop = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int UdpRequests { get; private set; }

    public int TcpRequests { get; private set; }

    public sealed record Request(byte[] Raw, DnsMessage Message, bool Tcp)
    {
        public ushort Id => Message.Header.Id;

        public byte[] Mac => Message.Tsig?.Mac.ToArray() ?? [];
    }

    /// <summary>The header of an answer to <paramref name="request"/> with zone/question copied.</summary>
    public static byte[] Answer(Request request, int rcode = 0, bool truncated = false)
    {
        var question = request.Message.Questions[0];
        var flags = (ushort)(0x8000 | ((int)request.Message.Header.Opcode << 11) | (truncated ? 0x0200 : 0) | rcode);
        return DnsMessageBuilder.Build(new DnsMessage
        {
            Header = new DnsHeader(request.Id, flags, 1, 0, 0, 0),
            Questions = [question],
        });
    }

    private static (Socket Udp, Socket Tcp) BindPair()
    {
        for (int attempt = 0; ; attempt++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(udp.LocalEndPoint!);
                tcp.Listen();
                return (udp, tcp);
            }
            catch (SocketException) when (attempt < 20)
            {
                udp.Dispose();
                tcp.Dispose();
            }
        }
    }

    private async Task UdpLoopAsync()
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            var raw = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            if (!DnsMessageParser.TryParse(raw, out var message, out _))
                continue;
            UdpRequests++;
            foreach (var answer in _respond(new Request(raw, message, Tcp: false)))
                await _udp.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint);
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            using (connection)
            {
                var prefix = new byte[2];
                await connection.ReceiveAsync(prefix, SocketFlags.None);
                var raw = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                int read = 0;
                while (read < raw.Length)
                    read += await connection.ReceiveAsync(raw.AsMemory(read), SocketFlags.None);
                if (!DnsMessageParser.TryParse(raw, out var message, out _))
                    continue;
                TcpRequests++;
                foreach (var answer in _respond(new Request(raw, message, Tcp: true)))
                {
                    var framed = new byte[answer.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                    answer.CopyTo(framed, 2);
                    await connection.SendAsync(framed, SocketFlags.None);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_udpLoop, _tcpLoop).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        _stop.Dispose();
    }
}
