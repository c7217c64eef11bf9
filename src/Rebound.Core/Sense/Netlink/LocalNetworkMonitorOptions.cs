using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

public sealed class LocalNetworkMonitorOptions
{
    /// <summary>Socket receive queue (SO_RCVBUF). Large so bursts rarely overflow; overflow still triggers a resync.</summary>
    public int SocketReceiveBufferBytes { get; init; } = NetlinkSocket.DefaultReceiveBufferBytes;

    /// <summary>Size of one datagram read; must exceed the kernel's largest dump datagram (32 KiB on common kernels).</summary>
    public int DatagramBufferBytes { get; init; } = 256 * 1024;

    /// <summary>Wait before reopening the socket after it failed for a reason other than overflow.</summary>
    public TimeSpan ReopenDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A dump interrupted by concurrent changes (NLM_F_DUMP_INTR) or overflow is retried this many times.</summary>
    public int MaxDumpAttempts { get; init; } = 5;

    /// <summary>Longest wait for one table's dump to finish before the socket is considered broken and reopened.</summary>
    public TimeSpan DumpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Changes kept for a slow reader; older ones are dropped first (each change carries its full After snapshot).</summary>
    public int ChangeQueueCapacity { get; init; } = 64;
}
