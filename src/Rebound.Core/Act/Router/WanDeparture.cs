using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Netlink;
using Rebound.Sense.Uplinks;

namespace Rebound.Act.Router;

/// <summary>A WAN address that no longer carries the router's traffic, and why we think so.</summary>
public sealed record DepartedWan(string Interface, IPAddress Address, string Why);

/// <summary>
/// Pure: which WAN addresses a change of the local network left behind. Per family, the primary default route is
/// the one with the lowest metric. When it moved to another interface or gateway (or vanished), the addresses the
/// previous primary interface had are departed, unless they are live (their interface still has a default route of
/// that family, at any metric: see <see cref="LiveAddresses"/>). Any other interface that lost its last default
/// route of a family departs the same way. An address
/// deleted from an interface that carried a default route (or a configured WAN interface) is departed too.
/// </summary>
public static class WanDeparture
{
    public static IReadOnlyList<DepartedWan> Find(LocalNetworkSnapshot? previous, LocalNetworkSnapshot current, IReadOnlyCollection<string>? wanInterfaces = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (previous is null)
        {
            return [];
        }

        var restrict = wanInterfaces is { Count: > 0 } ? new HashSet<string>(wanInterfaces, StringComparer.Ordinal) : null;
        var live = LiveAddresses(current);
        var found = new Dictionary<IPAddress, DepartedWan>();
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var before = Primary(previous, family);
            var after = Primary(current, family);
            if (before is null || (after is not null && SameRoute(before, after)))
            {
                continue;
            }

            var why = $"default {FamilyName(family)} {Describe(before)} -> {(after is null ? "none" : Describe(after))}";
            foreach (var a in previous.Addresses)
            {
                if (a.Address.AddressFamily == family && IsOn(a, before.InterfaceIndex, before.InterfaceName))
                {
                    Add(a, why);
                }
            }
        }

        // A non-primary WAN that lost its last default route of a family (policy routing may have used it).
        foreach (var route in previous.DefaultRoutes)
        {
            if (!current.DefaultRoutes.Any(r => r.Family == route.Family && SameInterface(r, route)))
            {
                foreach (var a in previous.Addresses)
                {
                    if (a.Address.AddressFamily == route.Family && IsOn(a, route.InterfaceIndex, route.InterfaceName))
                    {
                        Add(a, $"default {FamilyName(route.Family)} {Describe(route)} removed");
                    }
                }
            }
        }

        // Addresses removed from WAN interfaces (PPPoE redial, DHCP renumbering): SNAT keeps translating to them.
        var wans = restrict ?? new HashSet<string>(previous.DefaultRoutes.Select(r => r.InterfaceName).OfType<string>(), StringComparer.Ordinal);
        foreach (var a in previous.Addresses)
        {
            if (a.InterfaceName is { } name && wans.Contains(name) && !current.Addresses.Any(c => c.Address.Equals(a.Address)))
            {
                Add(a, $"address {a.Address} removed from {name}");
            }
        }

        return [.. found.Values];

        void Add(LocalAddress a, string why)
        {
            var name = a.InterfaceName ?? $"if{a.InterfaceIndex}";
            if (live.Contains(a.Address) || (restrict is not null && !restrict.Contains(name)) || found.ContainsKey(a.Address))
            {
                return;
            }

            found[a.Address] = new DepartedWan(name, a.Address, why);
        }
    }

    /// <summary>
    /// Addresses on every interface that still has a default route of the address's family, whatever its metric:
    /// policy routing (mwan3, balanced gateway groups) may send flows out of any of them, so they are live and
    /// never to be touched. A default route disappears from the snapshot when its interface goes down.
    /// </summary>
    public static HashSet<IPAddress> LiveAddresses(LocalNetworkSnapshot current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var live = new HashSet<IPAddress>();
        foreach (var a in current.Addresses)
        {
            if (current.DefaultRoutes.Any(r => r.Family == a.Address.AddressFamily && IsOn(a, r.InterfaceIndex, r.InterfaceName)))
            {
                live.Add(a.Address);
            }
        }

        return live;
    }

    /// <summary>
    /// The addresses of every WAN whose own probes fail (<see cref="UplinkState.Down"/>) while at least one other
    /// WAN's answer: the uplink probe's source address and every address of that family on the interface. None
    /// while no uplink is up (nothing to move the flows to: flushing would only lose them).
    /// </summary>
    public static IReadOnlyList<DepartedWan> DownUplinks(IReadOnlyList<UplinkStatus>? uplinks, LocalNetworkSnapshot? current, IReadOnlyCollection<string>? wanInterfaces = null)
    {
        if (uplinks is null)
        {
            return [];
        }

        var considered = uplinks.Where(u => wanInterfaces is not { Count: > 0 } || wanInterfaces.Contains(u.Interface)).ToList();
        var up = considered.Where(u => u.State == UplinkState.Up).Select(u => u.Interface).ToList();
        if (up.Count == 0)
        {
            return [];
        }

        var found = new Dictionary<IPAddress, DepartedWan>();
        foreach (var u in considered.Where(u => u.State == UplinkState.Down))
        {
            var why = $"uplink {u.Interface} down since {u.Since:HH:mm:ss.fff}Z, {string.Join(", ", up)} up";
            var addresses = (current?.Addresses ?? [])
                .Where(a => a.InterfaceName == u.Interface && a.Address.AddressFamily == AddressFamily.InterNetwork)
                .Select(a => a.Address)
                .Append(u.LocalIpv4)
                .OfType<IPAddress>();
            foreach (var address in addresses)
            {
                found.TryAdd(address, new DepartedWan(u.Interface, address, why));
            }
        }

        return [.. found.Values];
    }

    private static DefaultRoute? Primary(LocalNetworkSnapshot snapshot, AddressFamily family) =>
        snapshot.DefaultRoutes.Where(r => r.Family == family).OrderBy(r => r.Metric).ThenBy(r => r.InterfaceIndex).FirstOrDefault();

    private static bool SameRoute(DefaultRoute a, DefaultRoute b) =>
        a.InterfaceIndex == b.InterfaceIndex && string.Equals(a.InterfaceName, b.InterfaceName, StringComparison.Ordinal) && Equals(a.Gateway, b.Gateway);

    private static bool SameInterface(DefaultRoute a, DefaultRoute b) =>
        a.InterfaceName is not null && b.InterfaceName is not null ? a.InterfaceName == b.InterfaceName : a.InterfaceIndex == b.InterfaceIndex;

    private static bool IsOn(LocalAddress a, int index, string? name) =>
        name is not null && a.InterfaceName is not null ? a.InterfaceName == name : a.InterfaceIndex == index;

    private static string Describe(DefaultRoute r) => $"via {r.Gateway?.ToString() ?? "-"} dev {r.InterfaceName ?? $"if{r.InterfaceIndex}"}";

    private static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
}
