using System.Net.Sockets;

namespace Rebound.Act.WireGuard;

/// <summary>UAPI over the daemon's unix socket (wireguard-go, boringtun: <c>/var/run/wireguard/IF.sock</c>), one connection per request.</summary>
public sealed class UnixSocketUapiTransport(string socketPath) : IUapiTransport
{
    public const string SocketDirectory = "/var/run/wireguard";

    public string SocketPath { get; } = socketPath;

    public static string PathFor(string interfaceName) => Path.Combine(SocketDirectory, interfaceName + ".sock");

    public async ValueTask<byte[]> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
                break;
            received.Write(buffer, 0, n);
            if (UapiCodec.IsComplete(received.GetBuffer().AsSpan(0, (int)received.Length)) || received.Length > UapiCodec.MaxResponseBytes)
                break;
        }

        return received.ToArray();
    }
}
