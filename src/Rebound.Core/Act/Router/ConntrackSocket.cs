using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Rebound.Sense.Netlink.RtnetlinkNative;

namespace Rebound.Act.Router;

/// <summary>
/// NETLINK_NETFILTER socket for ctnetlink requests (no multicast groups). Created with P/Invoke, as
/// <see cref="Socket"/> cannot create AF_NETLINK sockets, then wrapped in a <see cref="Socket"/> for async receives.
/// It acts on the conntrack table of the network namespace it was created in. Needs CAP_NET_ADMIN.
/// </summary>
public sealed class ConntrackSocket : IDisposable
{
    private const int ReceiveBufferBytes = 1 << 20;
    private readonly Socket _socket;

    private ConntrackSocket(Socket socket) => _socket = socket;

    /// <summary>Opens a socket in the caller's network namespace.</summary>
    public static ConntrackSocket Open()
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, ConntrackConstants.NetlinkNetfilter);
        if (fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        try
        {
            Configure(fd);
        }
        catch
        {
            _ = Close(fd);
            throw;
        }

        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            return new ConntrackSocket(new Socket(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens a socket inside the network namespace at <paramref name="namespacePath"/> (e.g. /var/run/netns/NAME). Needs CAP_SYS_ADMIN.</summary>
    public static ConntrackSocket OpenInNamespace(string namespacePath)
    {
        try
        {
            return NetworkNamespace.Run(namespacePath, Open);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot open ctnetlink socket in {namespacePath}: {ex.Message}", ex);
        }
    }

    private static unsafe void Configure(int fd)
    {
        var bytes = ReceiveBufferBytes;
        if (SetSockOpt(fd, SolSocket, SoRcvbufforce, &bytes, sizeof(int)) != 0)
        {
            _ = SetSockOpt(fd, SolSocket, SoRcvbuf, &bytes, sizeof(int));
        }

        var local = new SockaddrNl { Family = AfNetlink };
        if (Bind(fd, &local, sizeof(SockaddrNl)) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Send(ReadOnlySpan<byte> request)
    {
        var handle = _socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var kernel = new SockaddrNl { Family = AfNetlink };
            unsafe
            {
                fixed (byte* p = request)
                {
                    while (SendTo(fd, p, (nuint)request.Length, 0, &kernel, sizeof(SockaddrNl)) < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno != Eintr)
                        {
                            throw new SocketException(errno);
                        }
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public void Dispose() => _socket.Dispose();
}
