using System.Net;
using System.Net.Sockets;
using Rebound.Record;

namespace Rebound.Decide;

/// <summary>The WAN state is kept per address family: IPv4 can fail over while IPv6 stays put.</summary>
public enum IpFamily
{
    [JsonName("ipv4")]
    Ipv4,

    [JsonName("ipv6")]
    Ipv6,
}

public static class IpFamilyNames
{
    /// <summary><c>ipv4</c> or <c>ipv6</c>, as in JSON and metrics.</summary>
    public static string ToName(this IpFamily family) => JsonNames.ToName(family);

    public static IpFamily Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6 ? IpFamily.Ipv6 : IpFamily.Ipv4;
    }
}
