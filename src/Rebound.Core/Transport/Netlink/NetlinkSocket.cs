using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Rebound.Transport.Netlink.NetlinkNative;

namespace Rebound.Transport.Netlink;

/// <summary>
/// An AF_NETLINK socket of one <see cref="NetlinkProtocol"/>, optionally subscribed to multicast groups. Created with
/// P/Invoke because <see cref="Socket"/> cannot create AF_NETLINK sockets, then wrapped in a <see cref="Socket"/> for
/// async receives. It lives in the network namespace of the thread that created it, forever.
/// </summary>
public sealed class NetlinkSocket : INetlinkTransport
{
    public const int DefaultReceiveBufferBytes = 1 << 20;

    private readonly Socket _socket;
    private uint _sequence;

    private NetlinkSocket(Socket socket, NetlinkProtocol protocol, uint portId)
    {
        _socket = socket;
        Protocol = protocol;
        PortId = portId;
    }

    public NetlinkProtocol Protocol { get; }

    public uint PortId { get; }

    /// <summary>Opens a socket in the caller's network namespace.</summary>
    /// <param name="groups">The protocol's multicast group bitmask (e.g. RTMGRP_*); 0 for a socket that only makes requests.</param>
    /// <param name="receiveBufferBytes">SO_RCVBUF request (forced above rmem_max when we have CAP_NET_ADMIN).</param>
    /// <exception cref="SocketException">The kernel refused (e.g. the protocol's module is not loaded, or no permission).</exception>
    public static NetlinkSocket Open(NetlinkProtocol protocol, uint groups = 0, int receiveBufferBytes = DefaultReceiveBufferBytes)
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, (int)protocol);
        if (fd < 0)
            throw new SocketException(Marshal.GetLastPInvokeError());

        uint portId;
        try
        {
            SetReceiveBuffer(fd, receiveBufferBytes);
            portId = BindAndGetPortId(fd, groups);
        }
        catch
        {
            _ = Close(fd);
            throw;
        }

        // From here the handle owns the descriptor, so a failure closes it exactly once.
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            return new NetlinkSocket(new Socket(handle), protocol, portId);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens a socket inside the network namespace at <paramref name="namespacePath"/> (e.g. /var/run/netns/NAME). Needs CAP_SYS_ADMIN.</summary>
    /// <exception cref="IOException">The namespace could not be entered, or the socket not opened there.</exception>
    public static NetlinkSocket OpenInNamespace(string namespacePath, NetlinkProtocol protocol, uint groups = 0, int receiveBufferBytes = DefaultReceiveBufferBytes)
    {
        try
        {
            return NetworkNamespace.Run(namespacePath, () => Open(protocol, groups, receiveBufferBytes));
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot open {Name(protocol)} socket in {namespacePath}: {ex.Message}", ex);
        }
    }

    /// <summary>How admins and kernel docs call the protocol: rtnetlink, sock_diag, nfnetlink.</summary>
    public static string Name(NetlinkProtocol protocol) => protocol switch
    {
        NetlinkProtocol.Route => "rtnetlink",
        NetlinkProtocol.SockDiag => "sock_diag",
        NetlinkProtocol.Netfilter => "nfnetlink",
        _ => $"netlink protocol {(int)protocol}",
    };

    public uint NextSequence()
    {
        var sequence = Interlocked.Increment(ref _sequence);
        return sequence != 0 ? sequence : Interlocked.Increment(ref _sequence);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // A send to the kernel is handled synchronously inside sendto, so there is nothing to await.
        var handle = _socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var kernel = new SockaddrNl { Family = AfNetlink };
            unsafe
            {
                using var pin = request.Pin();
                while (SendTo(fd, (byte*)pin.Pointer, (nuint)request.Length, 0, &kernel, sizeof(SockaddrNl)) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Eintr)
                        throw new SocketException(errno);
                }
            }
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable || ex.NativeErrorCode == NetlinkFraming.Enobufs)
        {
            throw new NetlinkOverflowException($"{Name(Protocol)} receive queue overflowed (ENOBUFS); messages were lost", ex);
        }
    }

    public void Dispose() => _socket.Dispose();

    private static unsafe void SetReceiveBuffer(int fd, int bytes)
    {
        if (bytes <= 0)
            return;

        // SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN; fall back to the capped SO_RCVBUF.
        if (SetSockOpt(fd, SolSocket, SoRcvbufforce, &bytes, sizeof(int)) == 0)
            return;
        if (SetSockOpt(fd, SolSocket, SoRcvbuf, &bytes, sizeof(int)) != 0)
            throw new SocketException(Marshal.GetLastPInvokeError());
    }

    private static unsafe uint BindAndGetPortId(int fd, uint groups)
    {
        var local = new SockaddrNl { Family = AfNetlink, Groups = groups };
        if (Bind(fd, &local, sizeof(SockaddrNl)) != 0)
            throw new SocketException(Marshal.GetLastPInvokeError());

        var bound = default(SockaddrNl);
        var length = sizeof(SockaddrNl);
        if (GetSockName(fd, &bound, &length) != 0)
            throw new SocketException(Marshal.GetLastPInvokeError());
        return bound.Pid;
    }
}
