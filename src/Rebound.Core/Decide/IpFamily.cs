using System.Net;
using System.Net.Sockets;

namespace Rebound.Decide;

/// <summary>The WAN state is kept per address family: IPv4 can fail over while IPv6 stays put.</summary>
public enum IpFamily
{
    Ipv4,
    Ipv6,
}

public static class IpFamilyNames
{
    public static string ToName(this IpFamily family) => family == IpFamily.Ipv6 ? "ipv6" : "ipv4";

    public static IpFamily Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6 ? IpFamily.Ipv6 : IpFamily.Ipv4;
    }
}
