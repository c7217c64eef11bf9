using System.Net;
using System.Net.Sockets;
using static Rebound.Sense.Netlink.NetlinkConstants;

namespace Rebound.Sense.Netlink;

/// <summary>
/// The monitor's copy of the kernel tables it cares about, fed one message at a time.
/// Not thread-safe: only the monitor's receive loop touches it.
/// </summary>
internal sealed class NetworkTables
{
    private readonly Dictionary<int, LinkMessage> _links = [];
    private readonly Dictionary<AddressKey, AddressMessage> _addresses = [];
    private readonly Dictionary<RouteKey, RouteMessage> _defaultRoutes = [];
    private readonly Dictionary<NeighbourKey, string> _neighbourMacs = [];

    // Last MAC seen per current gateway. Survives the neighbour entry's garbage collection and full resyncs,
    // so NUD churn never looks like a new router; dropped once the IP stops being a gateway.
    private readonly Dictionary<NeighbourKey, string> _gatewayMacs = [];

    /// <summary>Set when a notification implies kernel changes that are never notified; a full dump is due.</summary>
    public bool ResyncRequested { get; private set; }

    /// <summary>Forgets everything except remembered gateway MACs, ahead of a full dump.</summary>
    public void Clear()
    {
        ResyncRequested = false;
        _links.Clear();
        _addresses.Clear();
        _defaultRoutes.Clear();
        _neighbourMacs.Clear();
    }

    public void Apply(NetlinkMessage message)
    {
        switch (message)
        {
            case LinkMessage link:
                ApplyLink(link);
                break;
            case AddressMessage address:
                ApplyAddress(address);
                break;
            case RouteMessage route:
                ApplyRoute(route);
                break;
            case NeighbourMessage neighbour:
                ApplyNeighbour(neighbour);
                break;
        }
    }

    private void ApplyLink(LinkMessage link)
    {
        // AF_BRIDGE link messages describe bridge ports, not the device's existence.
        if (link.Family != AfUnspec)
        {
            return;
        }

        if (link.IsDelete)
        {
            _links.Remove(link.InterfaceIndex);
            _addresses.RemoveWhere((k, _) => k.InterfaceIndex == link.InterfaceIndex);
            _defaultRoutes.RemoveWhere((_, r) => UsesInterface(r, link.InterfaceIndex));
            _neighbourMacs.RemoveWhere((k, _) => k.InterfaceIndex == link.InterfaceIndex);
            return;
        }

        // Some RTM_NEWLINK notifications omit IFLA_IFNAME; keep the name we already had.
        var name = link.Name ?? (_links.TryGetValue(link.InterfaceIndex, out var known) ? known.Name : null);
        _links[link.InterfaceIndex] = link with { Name = name };

        // The kernel flushes IPv4 routes of a device taken down without sending RTM_DELROUTE.
        // Multipath routes merely mark the path dead, also silently: only a dump tells what is left.
        if (!link.IsUp)
        {
            _defaultRoutes.RemoveWhere((_, r) => r.OutputInterfaceIndex == link.InterfaceIndex && r.NextHops.Count == 0);
            ResyncRequested |= _defaultRoutes.Values.Any(r => UsesInterface(r, link.InterfaceIndex));
        }
    }

    private static bool UsesInterface(RouteMessage route, int interfaceIndex) =>
        route.OutputInterfaceIndex == interfaceIndex || route.NextHops.Any(h => h.InterfaceIndex == interfaceIndex);

    private void ApplyAddress(AddressMessage address)
    {
        if (address.OwnAddress is not { } ip)
        {
            return;
        }

        var key = new AddressKey(address.InterfaceIndex, ip, address.PrefixLength);
        if (address.IsDelete)
        {
            _addresses.Remove(key);
        }
        else
        {
            _addresses[key] = address;
        }
    }

    private void ApplyRoute(RouteMessage route)
    {
        if (route.DestinationLength != 0 || route.Table != RtTableMain || route.Family is not (AfInet or AfInet6))
        {
            return;
        }

        var key = RouteKey.For(route);
        if (route.IsDelete)
        {
            _defaultRoutes.Remove(key);
            return;
        }

        // IPv6 keys include the next hop (several routers may each give a default route), so a replace
        // has to evict whatever sat in the same (table, metric) slot before.
        if (route.Family == AfInet6 && route.Header.HasFlag(NlmFReplace))
        {
            _defaultRoutes.RemoveWhere((k, _) => k.Family == AfInet6 && k.Priority == route.Priority);
        }

        _defaultRoutes[key] = route;
    }

    private void ApplyNeighbour(NeighbourMessage neighbour)
    {
        if (neighbour.Destination is not { } ip || (neighbour.Flags & NtfProxy) != 0)
        {
            return;
        }

        var key = new NeighbourKey(neighbour.InterfaceIndex, ip);
        if (neighbour.IsDelete || neighbour.LinkLayerAddress is null)
        {
            _neighbourMacs.Remove(key);
        }
        else
        {
            _neighbourMacs[key] = FormatMac(neighbour.LinkLayerAddress);
        }
    }

    public LocalNetworkSnapshot BuildSnapshot()
    {
        var addresses = new List<LocalAddress>();
        foreach (var a in _addresses.Values)
        {
            var ip = a.OwnAddress!;
            _links.TryGetValue(a.InterfaceIndex, out var link);
            var loopback = link?.IsLoopback ?? IPAddress.IsLoopback(ip);
            // Temporary (privacy) and deprecated IPv6 addresses rotate daily by design: not a network change.
            // IPv6 only: for IPv4 the same bit (0x01) means IFA_F_SECONDARY, a real address.
            var rotating = ip.AddressFamily == AddressFamily.InterNetworkV6 ? IfaFTemporary | IfaFDeprecated : 0;
            if (a.Scope != 0 || loopback || (a.Flags & (IfaFTentative | IfaFDadFailed | rotating)) != 0)
            {
                continue;
            }

            addresses.Add(new LocalAddress(a.InterfaceIndex, link?.Name, ip, a.PrefixLength));
        }

        var routes = new List<DefaultRoute>();
        var gateways = new HashSet<NeighbourKey>();
        foreach (var r in _defaultRoutes.Values)
        {
            if (r.RouteType != RtnUnicast)
            {
                continue;
            }

            var family = r.Family == AfInet6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            // A multipath (ECMP) default is reported as one DefaultRoute per path.
            var paths = r.NextHops.Count > 0
                ? r.NextHops.Select(h => (h.Gateway, h.InterfaceIndex))
                : [(r.Gateway, r.OutputInterfaceIndex)];
            foreach (var (gateway, interfaceIndex) in paths)
            {
                string? mac = null;
                if (gateway is not null)
                {
                    var key = new NeighbourKey(interfaceIndex, gateway);
                    gateways.Add(key);
                    if (_neighbourMacs.TryGetValue(key, out var current))
                    {
                        _gatewayMacs[key] = current;
                    }

                    _gatewayMacs.TryGetValue(key, out mac);
                }

                _links.TryGetValue(interfaceIndex, out var link);
                routes.Add(new DefaultRoute(family, gateway, interfaceIndex, link?.Name, unchecked((int)r.Priority), mac));
            }
        }

        _gatewayMacs.RemoveWhere((k, _) => !gateways.Contains(k));

        addresses.Sort((x, y) => string.CompareOrdinal($"{x.InterfaceIndex:D10} {x.Address}/{x.PrefixLength}", $"{y.InterfaceIndex:D10} {y.Address}/{y.PrefixLength}"));
        routes.Sort((x, y) => string.CompareOrdinal($"{x.Family} {x.Metric:D10} {x.InterfaceIndex:D10} {x.Gateway}", $"{y.Family} {y.Metric:D10} {y.InterfaceIndex:D10} {y.Gateway}"));
        return new LocalNetworkSnapshot(addresses, routes);
    }

    internal static string FormatMac(ReadOnlySpan<byte> bytes) => string.Join(':', bytes.ToArray().Select(b => b.ToString("x2")));

    private readonly record struct AddressKey(int InterfaceIndex, IPAddress Address, byte PrefixLength);

    private readonly record struct NeighbourKey(int InterfaceIndex, IPAddress Address);

    /// <summary>
    /// How the kernel tells default routes apart: IPv4 by (table, tos, metric), which is also what makes an IPv4
    /// NLM_F_REPLACE overwrite in place; IPv6 additionally by next hop.
    /// </summary>
    private readonly record struct RouteKey(byte Family, byte Tos, uint Priority, IPAddress? Gateway, int InterfaceIndex)
    {
        public static RouteKey For(RouteMessage r) => r.Family == AfInet6
            ? new(r.Family, 0, r.Priority, r.Gateway, r.OutputInterfaceIndex)
            : new(r.Family, r.Tos, r.Priority, null, 0);
    }
}

internal static class DictionaryExtensions
{
    public static void RemoveWhere<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, Func<TKey, TValue, bool> predicate)
        where TKey : notnull
    {
        foreach (var key in dictionary.Where(e => predicate(e.Key, e.Value)).Select(e => e.Key).ToList())
        {
            dictionary.Remove(key);
        }
    }
}
