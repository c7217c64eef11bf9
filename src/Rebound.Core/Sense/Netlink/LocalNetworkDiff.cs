using System.Net.Sockets;

namespace Rebound.Sense.Netlink;

/// <summary>Readable lines saying how one snapshot differs from another.</summary>
internal static class LocalNetworkDiff
{
    public static IReadOnlyList<string> Describe(LocalNetworkSnapshot before, LocalNetworkSnapshot after)
    {
        var lines = new List<string>();

        var oldAddresses = before.Addresses.Select(Describe).ToHashSet(StringComparer.Ordinal);
        var newAddresses = after.Addresses.Select(Describe).ToHashSet(StringComparer.Ordinal);
        lines.AddRange(oldAddresses.Where(a => !newAddresses.Contains(a)).Order(StringComparer.Ordinal).Select(a => $"{a} removed"));
        lines.AddRange(newAddresses.Where(a => !oldAddresses.Contains(a)).Order(StringComparer.Ordinal).Select(a => $"{a} added"));

        // Routes are matched without their MAC so that a new MAC reads as such, not as remove + add.
        var oldRoutes = before.DefaultRoutes.GroupBy(Describe, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var newRoutes = after.DefaultRoutes.GroupBy(Describe, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (text, _) in oldRoutes.Where(r => !newRoutes.ContainsKey(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            lines.Add($"{text} removed");
        }

        foreach (var (text, _) in newRoutes.Where(r => !oldRoutes.ContainsKey(r.Key)).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            lines.Add($"{text} added");
        }

        foreach (var (text, route) in newRoutes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!oldRoutes.TryGetValue(text, out var old) || string.Equals(old.GatewayMac, route.GatewayMac, StringComparison.Ordinal))
            {
                continue;
            }

            var gateway = route.Gateway?.ToString() ?? "-";
            lines.Add((old.GatewayMac, route.GatewayMac) switch
            {
                (null, var mac) => $"gateway {gateway} MAC learned {mac}",
                (var mac, null) => $"gateway {gateway} MAC {mac} forgotten",
                var (from, to) => $"gateway {gateway} MAC changed from {from} to {to}",
            });
        }

        return lines;
    }

    private static string Describe(LocalAddress a) =>
        $"address {a.Address}/{a.PrefixLength} on {a.InterfaceName ?? $"if{a.InterfaceIndex}"}";

    private static string Describe(DefaultRoute r)
    {
        var family = r.Family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
        var via = r.Gateway is null ? "" : $" via {r.Gateway}";
        var metric = r.Metric == 0 ? "" : $" metric {r.Metric}";
        return $"default {family} route{via} dev {r.InterfaceName ?? $"if{r.InterfaceIndex}"}{metric}";
    }
}
