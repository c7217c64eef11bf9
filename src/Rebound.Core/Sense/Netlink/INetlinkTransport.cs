namespace Rebound.Sense.Netlink;

/// <summary>
/// Moves raw rtnetlink datagrams; knows nothing of their content (the codec does).
/// A receive that finds the kernel dropped messages throws <see cref="NetlinkOverflowException"/>.
/// </summary>
public interface INetlinkTransport : IDisposable
{
    /// <summary>Port id the kernel assigned to this socket; dump replies carry it, multicast events do not.</summary>
    uint PortId { get; }

    /// <summary>Sends one request to the kernel.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

    /// <summary>Receives one datagram (possibly several netlink messages) and returns its length.</summary>
    /// <exception cref="NetlinkOverflowException">The receive queue overflowed (ENOBUFS); state must be re-dumped.</exception>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
