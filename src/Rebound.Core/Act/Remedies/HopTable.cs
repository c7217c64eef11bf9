using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rebound.Act.Remedies;

/// <summary>
/// Rebound's nftables table for hop-port, as text: the scripts <c>nft -f -</c> reads (pure) and the parse of
/// <c>nft -j list table</c>. The table has three sets of ports and one nat postrouting chain:
/// <code>
/// set active4, active6, hopped { type inet_service }
/// ct state established udp sport @hopped counter        # keeper: conntrack and NAT stay on, so healed flows keep their port
/// meta nfproto ipv4 udp sport @active4 masquerade to :40000-40999 random
/// meta nfproto ipv6 udp sport @active6 masquerade to :40000-40999 random
/// </code>
/// NAT is decided on a flow's first packet only: taking a port out of <c>active4</c> changes no existing flow.
/// <c>random</c>: a second hop of the same flow (after a failback) gets another port, not the one the router pinned.
/// </summary>
public static class HopTable
{
    public const string KeeperComment = "rebound: keeps healed flows translated";
    public const string HopComment = "rebound: hop-port";
    private const string Chain = "postrouting";

    /// <summary>
    /// The whole table, created afresh in one transaction (<c>add</c> then <c>delete</c> makes it work whether or not
    /// one exists), with these set contents.
    /// </summary>
    public static string CreateScript(string table, int rangeStart, int rangeEnd, IEnumerable<int> active4, IEnumerable<int> active6, IEnumerable<int> hopped)
    {
        var range = $"{rangeStart}-{rangeEnd}";
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"add table inet {table}\ndelete table inet {table}\ntable inet {table} {{\n");
        Set(s, "active4", active4);
        Set(s, "active6", active6);
        Set(s, "hopped", hopped);
        s.Append(CultureInfo.InvariantCulture, $"  chain {Chain} {{\n    type nat hook postrouting priority srcnat; policy accept;\n");
        s.Append(CultureInfo.InvariantCulture, $"    ct state established udp sport @hopped counter comment \"{KeeperComment}\"\n");
        s.Append(CultureInfo.InvariantCulture, $"    meta nfproto ipv4 udp sport @active4 masquerade to :{range} random comment \"{HopComment}\"\n");
        s.Append(CultureInfo.InvariantCulture, $"    meta nfproto ipv6 udp sport @active6 masquerade to :{range} random comment \"{HopComment}\"\n  }}\n}}\n");
        return s.ToString();
    }

    /// <summary>Adds ports to sets of an existing table of ours (adding a present element is no error).</summary>
    public static string AddElementsScript(string table, string set, IEnumerable<int> ports) => Elements("add", table, set, ports);

    /// <summary>Removes ports from a set; only ports that are in it (deleting an absent element is an error).</summary>
    public static string DeleteElementsScript(string table, string set, IEnumerable<int> ports) => Elements("delete", table, set, ports);

    public static string DeleteTableScript(string table) => $"delete table inet {table}\n";

    /// <summary>
    /// Reads <c>nft -j list table inet NAME</c>. A table of that name without exactly our sets and rules is
    /// <see cref="HopTableState.Foreign"/>; its port sets are still read. Malformed JSON: null.
    /// </summary>
    public static HopTableState? Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
                return null;
            var sets = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
            var comments = new List<string>();
            var table = false;
            var chains = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (item.TryGetProperty("table", out _))
                {
                    table = true;
                }
                else if (item.TryGetProperty("set", out var set) && set.TryGetProperty("name", out var name))
                {
                    var ports = new HashSet<int>();
                    if (set.TryGetProperty("elem", out var elements) && elements.ValueKind == JsonValueKind.Array)
                    {
                        foreach (var e in elements.EnumerateArray())
                        {
                            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var port))
                                ports.Add(port);
                        }
                    }

                    sets[name.GetString() ?? ""] = ports;
                }
                else if (item.TryGetProperty("chain", out _))
                {
                    chains++;
                }
                else if (item.TryGetProperty("rule", out var rule))
                {
                    comments.Add(rule.TryGetProperty("comment", out var c) ? c.GetString() ?? "" : "");
                }
            }

            if (!table)
                return HopTableState.Absent;
            HashSet<int> Get(string n) => sets.TryGetValue(n, out var v) ? v : [];
            var ours = sets.Count == 3 && sets.ContainsKey("active4") && sets.ContainsKey("active6") && sets.ContainsKey("hopped")
                && chains == 1 && comments.SequenceEqual([KeeperComment, HopComment, HopComment]);
            return new HopTableState(true, !ours, Get("active4"), Get("active6"), Get("hopped"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Elements(string verb, string table, string set, IEnumerable<int> ports)
    {
        var list = string.Join(", ", ports.Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
        return list.Length == 0 ? "" : $"{verb} element inet {table} {set} {{ {list} }}\n";
    }

    private static void Set(StringBuilder s, string name, IEnumerable<int> ports)
    {
        var list = string.Join(", ", ports.Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
        s.Append(CultureInfo.InvariantCulture, $"  set {name} {{ type inet_service;{(list.Length > 0 ? $" elements = {{ {list} }}" : "")} }}\n");
    }
}
