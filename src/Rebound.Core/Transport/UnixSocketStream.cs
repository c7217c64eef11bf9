using System.Net.Sockets;

namespace Rebound.Transport;

/// <summary>HTTP over a unix socket (tailscaled's LocalAPI, the agent's control socket): the connect step of a <see cref="SocketsHttpHandler"/>.</summary>
public static class UnixSocketStream
{
    /// <summary>A connected stream to the socket at <paramref name="path"/>; the socket is closed with the stream, or at once on failure.</summary>
    public static async ValueTask<Stream> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
