using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Netlink;
using Rebound.Sense.Uplinks;

namespace Rebound.Act.Router;

/// <summary>
/// What router mode knows of its WANs when it judges one conntrack entry: each WAN address (what static SNAT and
/// masquerade translate to), each WAN's connection mark (configured, or read from the ip rules), the WAN the main
/// table sends unmarked traffic to (null when other policy rules may steer it, or unknown), and the WANs whose own
/// probes fail while another's answer.
/// </summary>
public sealed record RouterView(
    IReadOnlyDictionary<IPAddress, string> WanAddresses,
    IReadOnlyDictionary<string, WanMark> Marks,
    string? MainEgress,
    IReadOnlySet<string> DownWans)
{
    public static RouterView Empty { get; } = new(new Dictionary<IPAddress, string>(), new Dictionary<string, WanMark>(StringComparer.Ordinal), null, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Whether an entry can be stranded (translated to one WAN, leaving by another) with nothing departed.</summary>
    public bool CanStrand => MainEgress is not null && WanAddresses.Values.Distinct(StringComparer.Ordinal).Count() > 1;

    /// <summary>
    /// The view from a trigger's state. <paramref name="policy"/> null: the rules could not be read, so the main
    /// table does not say where unmarked flows go.
    /// </summary>
    public static RouterView From(LocalNetworkSnapshot? network, IReadOnlyList<UplinkStatus>? uplinks, RouterConntrackOptions options, PolicyMarks? policy)
    {
        ArgumentNullException.ThrowIfNull(options);
        var wans = new HashSet<string>(options.WanInterfaces, StringComparer.Ordinal);
        if (wans.Count == 0)
        {
            wans.UnionWith((network?.DefaultRoutes ?? []).Select(r => r.InterfaceName).OfType<string>());
            wans.UnionWith((uplinks ?? []).Select(u => u.Interface));
        }

        var addresses = new Dictionary<IPAddress, string>();
        foreach (var a in network?.Addresses ?? [])
        {
            if (a.InterfaceName is { } name && wans.Contains(name) && a.Address.AddressFamily == AddressFamily.InterNetwork)
                addresses.TryAdd(a.Address, name);
        }

        foreach (var u in uplinks ?? [])
        {
            if (u.LocalIpv4 is { } local && wans.Contains(u.Interface))
                addresses.TryAdd(local, u.Interface);
        }

        var marks = new Dictionary<string, WanMark>(options.Marks, StringComparer.Ordinal);
        foreach (var (name, mark) in policy?.Marks ?? PolicyMarks.None.Marks)
            marks.TryAdd(name, mark);

        var primary = (network?.DefaultRoutes ?? [])
            .Where(r => r.Family == AddressFamily.InterNetwork)
            .OrderBy(r => r.Metric).ThenBy(r => r.InterfaceIndex)
            .FirstOrDefault()?.InterfaceName;
        var main = policy is { OtherRules: false } && primary is not null && wans.Contains(primary) ? primary : null;
        var down = WanDeparture.DownUplinks(uplinks, network, options.WanInterfaces).Select(d => d.Interface).ToHashSet(StringComparer.Ordinal);
        return new RouterView(addresses, marks, main, down);
    }
}

/// <summary>
/// Pure: which conntrack entries router mode deletes, and why (the reason is also the group the flush reports).
/// An entry goes when (1) it is NATed to a departed WAN address, (2) it carries the mark of a WAN that is down while
/// another is up, or (3) it is NATed to one WAN's address but would leave by another (by its mark, or the main table
/// for an unmarked one): static SNAT never re-translates it, and the other ISP drops its foreign source. Never an
/// entry translated to a kept address, and never the router's own flows that were not translated (recreating them
/// would not move them).
/// </summary>
public static class FlowSelection
{
    public static string? Why(ConntrackEntry entry, IReadOnlyCollection<DepartedWan> departed, RouterView view, IReadOnlyCollection<IPAddress> keep)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(departed);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(keep);
        var to = entry.Reply.Destination;
        var translated = (entry.Status & ConntrackConstants.StatusSrcNat) != 0;
        if (keep.Contains(to) || (!translated && entry.Original.Source.Equals(to)))
        {
            return null;
        }

        if (departed.FirstOrDefault(d => d.Address.Equals(to)) is { } gone)
        {
            return TranslatedTo(gone.Address);
        }

        foreach (var wan in view.DownWans)
        {
            if (view.Marks.TryGetValue(wan, out var mark) && mark.Matches(entry.Mark))
                return $"marked {mark} for down {wan}";
        }

        if (!translated || !view.WanAddresses.TryGetValue(to, out var owner))
        {
            return null;
        }

        var egress = Egress(entry.Mark, view);
        return egress is not null && egress != owner && !view.DownWans.Contains(egress)
            ? $"translated to {to} ({owner}) leaving by {egress}"
            : null;
    }

    /// <summary>The reason (and group) of the entries NATed to a departed address: the target counts each departed WAN by it.</summary>
    public static string TranslatedTo(IPAddress address) => $"translated to {address}";

    /// <summary>The WAN an entry's packets leave by: its mark's WAN; the main table's for an unmarked one; null when unknown.</summary>
    public static string? Egress(uint? mark, RouterView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (mark is null or 0)
        {
            return view.MainEgress;
        }

        foreach (var (wan, m) in view.Marks)
        {
            if (m.Matches(mark))
                return wan;
        }

        return null; // a mark no WAN's rule is known for: its route is not ours to guess
    }
}
