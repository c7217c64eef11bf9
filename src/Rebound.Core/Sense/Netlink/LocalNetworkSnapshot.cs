using System.Net;
using System.Net.Sockets;

namespace Rebound.Sense.Netlink;

/// <summary>An address assigned to a local interface.</summary>
public sealed record LocalAddress(int InterfaceIndex, string? InterfaceName, IPAddress Address, int PrefixLength);

/// <summary>A default route in the main table, with the gateway's link-layer address when the neighbour table knows it.</summary>
public sealed record DefaultRoute(
    AddressFamily Family,
    IPAddress? Gateway,
    int InterfaceIndex,
    string? InterfaceName,
    int Metric,
    string? GatewayMac);

/// <summary>
/// What the host itself can see of its network: global addresses, default routes and the gateway's MAC.
/// Two snapshots with the same <see cref="Fingerprint"/> are the same network as far as Rebound cares.
/// </summary>
public sealed record LocalNetworkSnapshot(
    IReadOnlyList<LocalAddress> Addresses,
    IReadOnlyList<DefaultRoute> DefaultRoutes)
{
    public static LocalNetworkSnapshot Empty { get; } = new([], []);

    /// <summary>Canonical, order-independent text of the snapshot; equal fingerprints mean nothing relevant changed.</summary>
    public string Fingerprint { get; } = BuildFingerprint(Addresses, DefaultRoutes);

    private static string BuildFingerprint(IReadOnlyList<LocalAddress> addresses, IReadOnlyList<DefaultRoute> routes)
    {
        var parts = new List<string>(addresses.Count + routes.Count);
        foreach (var a in addresses)
        {
            parts.Add($"addr {a.InterfaceName ?? a.InterfaceIndex.ToString()} {a.Address}/{a.PrefixLength}");
        }

        foreach (var r in routes)
        {
            parts.Add($"default {(r.Family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4")} via {r.Gateway?.ToString() ?? "-"} dev {r.InterfaceName ?? r.InterfaceIndex.ToString()} metric {r.Metric} lladdr {r.GatewayMac ?? "-"}");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join('\n', parts);
    }
}

/// <summary>The local network changed in a way that may have moved our public address.</summary>
/// <param name="Differences">Human-readable lines such as <c>default ipv4 via 192.0.2.1 ... added</c>.</param>
public sealed record LocalNetworkChange(
    LocalNetworkSnapshot Before,
    LocalNetworkSnapshot After,
    IReadOnlyList<string> Differences);
