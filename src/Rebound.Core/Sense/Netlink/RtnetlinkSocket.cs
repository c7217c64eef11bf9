using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using static Rebound.Sense.Netlink.RtnetlinkNative;

namespace Rebound.Sense.Netlink;

/// <summary>
/// NETLINK_ROUTE socket subscribed to link, neighbour, address and route groups. Created with P/Invoke because
/// <see cref="Socket"/> cannot create AF_NETLINK sockets, then wrapped in a <see cref="Socket"/> for async receives.
/// It lives in the network namespace of the thread that created it, forever.
/// </summary>
public sealed class RtnetlinkSocket : INetlinkTransport
{
    public const int DefaultReceiveBufferBytes = 1 << 20;

    private readonly Socket _socket;

    private RtnetlinkSocket(Socket socket, uint portId)
    {
        _socket = socket;
        PortId = portId;
    }

    public uint PortId { get; }

    /// <summary>Opens a socket in the caller's network namespace.</summary>
    /// <param name="groups">RTMGRP_* bitmask; 0 for a socket that only dumps.</param>
    /// <param name="receiveBufferBytes">SO_RCVBUF request (forced above rmem_max when we have CAP_NET_ADMIN).</param>
    public static RtnetlinkSocket Open(uint groups = NetlinkConstants.MonitorGroups, int receiveBufferBytes = DefaultReceiveBufferBytes)
    {
        var fd = Socket(AfNetlink, SockRaw | SockCloexec, NetlinkRoute);
        if (fd < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        try
        {
            SetReceiveBuffer(fd, receiveBufferBytes);
            var portId = BindAndGetPortId(fd, groups);
            var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            fd = -1; // the SafeSocketHandle owns it now
            return new RtnetlinkSocket(socket, portId);
        }
        finally
        {
            if (fd >= 0)
            {
                _ = Close(fd);
            }
        }
    }

    /// <summary>
    /// Opens a socket inside the network namespace at <paramref name="namespacePath"/> (e.g. /var/run/netns/NAME).
    /// setns affects only the calling thread, so this runs on a throwaway thread that enters the namespace,
    /// creates the socket and steps back out; the socket stays bound to the namespace. Needs CAP_SYS_ADMIN.
    /// </summary>
    public static RtnetlinkSocket OpenInNamespace(string namespacePath, uint groups = NetlinkConstants.MonitorGroups, int receiveBufferBytes = DefaultReceiveBufferBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        RtnetlinkSocket? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = OpenOnThisThreadInNamespace(namespacePath, groups, receiveBufferBytes);
            }
#pragma warning disable CA1031 // handed back to the caller below
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "rtnetlink-setns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new IOException($"cannot open rtnetlink socket in {namespacePath}: {failure.Message}", failure);
        }

        return result!;
    }

    private static RtnetlinkSocket OpenOnThisThreadInNamespace(string namespacePath, uint groups, int receiveBufferBytes)
    {
        using var original = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
        using var target = File.OpenHandle(namespacePath, FileMode.Open, FileAccess.Read);
        EnterNamespace(target);
        RtnetlinkSocket? socket = null;
        Exception? openFailure = null;
        try
        {
            socket = Open(groups, receiveBufferBytes);
        }
#pragma warning disable CA1031 // rethrown once the thread is back in its own namespace
        catch (Exception ex)
#pragma warning restore CA1031
        {
            openFailure = ex;
        }

        try
        {
            EnterNamespace(original);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }

        if (openFailure is not null)
        {
            ExceptionDispatchInfo.Throw(openFailure);
        }

        return socket!;
    }

    private static void EnterNamespace(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (SetNs((int)handle.DangerousGetHandle(), CloneNewnet) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
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
                while (true)
                {
                    var sent = SendTo(fd, (byte*)pin.Pointer, (nuint)request.Length, 0, &kernel, sizeof(SockaddrNl));
                    if (sent >= 0)
                    {
                        break;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Eintr)
                    {
                        throw new SocketException(errno);
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

        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable || ex.NativeErrorCode == NetlinkConstants.Enobufs)
        {
            throw new NetlinkOverflowException("netlink receive queue overflowed (ENOBUFS); notifications were lost", ex);
        }
    }

    public void Dispose() => _socket.Dispose();

    private static unsafe void SetReceiveBuffer(int fd, int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        // SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN; fall back to the capped SO_RCVBUF.
        if (SetSockOpt(fd, SolSocket, SoRcvbufforce, &bytes, sizeof(int)) == 0)
        {
            return;
        }

        if (SetSockOpt(fd, SolSocket, SoRcvbuf, &bytes, sizeof(int)) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    private static unsafe uint BindAndGetPortId(int fd, uint groups)
    {
        var local = new SockaddrNl { Family = AfNetlink, Groups = groups };
        if (Bind(fd, &local, sizeof(SockaddrNl)) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        var bound = default(SockaddrNl);
        var length = sizeof(SockaddrNl);
        if (GetSockName(fd, &bound, &length) != 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        return bound.Pid;
    }
}
