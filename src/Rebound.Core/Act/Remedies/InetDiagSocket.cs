using System.Net;

namespace Rebound.Act.Remedies;

/// <summary>
/// One TCP socket as sock_diag reports it. <see cref="Cookie"/> (with the addresses and ports) names it exactly for
/// SOCK_DESTROY, so a socket that closed and was replaced under the same 4-tuple is not the one destroyed.
/// </summary>
/// <param name="Inode">The socket's inode: /proc/PID/fd links read <c>socket:[INODE]</c>, which names its owner.</param>
public sealed record InetDiagSocket(byte Family, byte State, IPEndPoint Local, IPEndPoint Remote, uint Interface, ulong Cookie, uint Uid, uint Inode)
{
    /// <summary>From tcp_info; null when the kernel sent none.</summary>
    public TcpTimes? Times { get; init; }

    public override string ToString() => $"tcp {Local} -> {Remote}";
}

/// <summary>
/// What tcp_info says about when the socket last heard from its peer (milliseconds ago, as the kernel counts) and
/// how many segments are unacknowledged.
/// </summary>
public readonly record struct TcpTimes(uint LastDataReceivedMs, uint LastAckReceivedMs, uint Unacked)
{
    /// <summary>Since the last segment of any kind came from the peer.</summary>
    public TimeSpan Silent => TimeSpan.FromMilliseconds(Math.Min(LastDataReceivedMs, LastAckReceivedMs));
}
