namespace Rebound.Transport.Netlink;

/// <summary>
/// Moves raw datagrams over one netlink socket (one protocol: rtnetlink, ctnetlink, sock_diag, ...); knows nothing
/// of their content, which the protocol's codec builds and parses. Real: <see cref="NetlinkSocket"/>; tests use fakes.
/// A receive that finds the kernel dropped messages throws <see cref="NetlinkOverflowException"/>.
/// </summary>
public interface INetlinkTransport : IDisposable
{
    /// <summary>Port id the kernel assigned to this socket; replies to our requests carry it, multicast events do not.</summary>
    uint PortId { get; }

    /// <summary>A sequence number for the next request on this socket; never 0, which is what notifications carry.</summary>
    uint NextSequence();

    /// <summary>Sends one request to the kernel.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

    /// <summary>Receives one datagram (possibly several netlink messages) and returns its length.</summary>
    /// <exception cref="NetlinkOverflowException">The receive queue overflowed (ENOBUFS): messages were lost.</exception>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
