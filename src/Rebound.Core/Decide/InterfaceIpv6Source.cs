using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Netlink;

namespace Rebound.Decide;

/// <summary>
/// The public IPv6 address read from a chosen interface: without NAT, the host's own global address is
/// what DNS should carry. Fed with local network snapshots; says when the address changed.
/// </summary>
public sealed class InterfaceIpv6Source(string interfaceName)
{
    public string InterfaceName { get; } = interfaceName ?? throw new ArgumentNullException(nameof(interfaceName));

    public IPAddress? Current { get; private set; }

    /// <summary>A <see cref="PublicAddressChanged"/> when the interface's global IPv6 address differs from the last one seen.</summary>
    public PublicAddressChanged? Update(LocalNetworkSnapshot snapshot, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var address = GlobalAddress(snapshot, InterfaceName);
        if (address is null || address.Equals(Current))
        {
            // Losing the address is not a new public address; the record keeps the last one.
            return null;
        }

        var old = Current;
        Current = address;
        return new PublicAddressChanged(now, IpFamily.Ipv6, old, address, new WanEvidence($"interface {InterfaceName}", 0, []));
    }

    /// <summary>
    /// The interface's global unicast IPv6 address (the monitor already leaves out temporary, deprecated
    /// and tentative ones); unique-local and link-local addresses are not public. Lowest first, so the
    /// choice is stable when there are several.
    /// </summary>
    internal static IPAddress? GlobalAddress(LocalNetworkSnapshot snapshot, string interfaceName) =>
        snapshot.Addresses
            .Where(a => string.Equals(a.InterfaceName, interfaceName, StringComparison.Ordinal)
                && a.Address.AddressFamily == AddressFamily.InterNetworkV6
                && !a.Address.IsIPv6LinkLocal
                && !a.Address.IsIPv6UniqueLocal
                && !a.Address.IsIPv6Multicast)
            .Select(a => a.Address)
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)
            .FirstOrDefault();
}
