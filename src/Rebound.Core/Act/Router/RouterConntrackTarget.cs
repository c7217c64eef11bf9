using System.Net;
using Rebound.Act.Heal;

namespace Rebound.Act.Router;

/// <summary>
/// Router mode: when Rebound runs on the Linux router itself and the WAN switches by route or policy (mwan3,
/// gateway groups), static SNAT keeps every existing flow translated to the departed WAN's address. This target
/// finds those conntrack entries (reply destination = departed address) and deletes them, so each LAN flow is
/// translated afresh on its next packet. Where ctnetlink lists the entries, also those carrying a down WAN's mark and
/// those translated to one WAN's address but leaving by another (<see cref="FlowSelection"/>: a metric failback with
/// static SNAT); an entry that still leaves by the live WAN it is translated to is never touched. Departed addresses are remembered across triggers, so a
/// periodic check still finds flows pinned later, until verified clean or live again.
/// </summary>
public sealed class RouterConntrackTarget : IHealTarget
{
    public const string TargetName = "router:conntrack";

    private readonly IConntrackTable _table;
    private readonly RouterConntrackOptions _options;
    private readonly Dictionary<IPAddress, DepartedWan> _departed = [];
    private readonly Lock _gate = new();
    private readonly Func<CancellationToken, Task<PolicyMarks?>>? _readPolicy;
    private volatile PolicyMarks? _policy;

    /// <param name="readPolicy">Reads the WAN marks from the ip rules on every diagnosis; null (or a null answer): unknown, so only configured marks count and the main table does not say where unmarked flows leave.</param>
    public RouterConntrackTarget(IConntrackTable table, RouterConntrackOptions? options = null, Func<CancellationToken, Task<PolicyMarks?>>? readPolicy = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _readPolicy = readPolicy;
        _options = options ?? new RouterConntrackOptions();
        Ladder = [new FlushConntrackAction(this)];
    }

    public string Name => TargetName;

    public IReadOnlyList<IHealAction> Ladder { get; }

    public TimeSpan VerifyDeadline => _options.VerifyDeadline;

    public TimeSpan VerifyInterval => _options.VerifyInterval;

    /// <summary>The departed WAN addresses remembered now (for status output and tests).</summary>
    public IReadOnlyList<DepartedWan> Departed
    {
        get
        {
            lock (_gate)
            {
                return [.. _departed.Values];
            }
        }
    }

    /// <summary>
    /// Also records which WAN departed, for every trigger offered: the engine coalesces triggers that arrive while
    /// a heal runs (the latest wins), and a route replace can arrive as "route gone" then "route added", whose
    /// second half alone no longer shows which WAN left.
    /// </summary>
    public bool Wants(HealTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        Update(trigger);
        return trigger.Reason is HealReason.LocalNetworkChanged or HealReason.Startup or HealReason.Periodic or HealReason.UplinkChanged;
    }

    public async ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var departed = Update(trigger);
        _policy = _readPolicy is null ? null : await _readPolicy(cancellationToken);
        var view = View(trigger);
        if (departed.Count == 0 && !view.CanStrand)
        {
            return HealDiagnosis.Healthy("no WAN has departed");
        }

        IReadOnlyList<ConntrackEntry>? entries;
        try
        {
            entries = await _table.TryListAsync(cancellationToken);
            if (entries is null)
            {
                return departed.Count == 0 ? HealDiagnosis.Healthy("no WAN has departed") : await DiagnoseByAddressAsync(trigger, departed, cancellationToken);
            }
        }
        catch (ConntrackException ex)
        {
            return new HealDiagnosis(HealCondition.Unhealthy, [$"cannot read conntrack: {ex.Message}", .. departed.Select(d => d.Why)]);
        }

        var groups = Select(entries, departed, view);
        var evidence = new List<string>();
        foreach (var wan in departed)
        {
            var count = groups.GetValueOrDefault(FlowSelection.TranslatedTo(wan.Address))?.Count ?? 0;
            evidence.Add($"{count} {Entries(count)} translated to departed {wan.Address} ({wan.Interface}); {wan.Why}");
        }

        foreach (var (why, victims) in groups.Where(g => !departed.Any(d => g.Key == FlowSelection.TranslatedTo(d.Address))))
        {
            evidence.Add($"{victims.Count} {Entries(victims.Count)} {why}");
        }

        if (trigger.Reason == HealReason.Periodic)
        {
            Forget(departed.Where(d => !groups.ContainsKey(FlowSelection.TranslatedTo(d.Address))));
        }

        return groups.Count > 0 ? new HealDiagnosis(HealCondition.FlowPinned, evidence)
            : new HealDiagnosis(HealCondition.Healthy, evidence.Count > 0 ? evidence : ["no entry is on a departed WAN or leaves by another WAN than its address's"]);
    }

    private async ValueTask<HealDiagnosis> DiagnoseByAddressAsync(HealTrigger trigger, List<DepartedWan> departed, CancellationToken cancellationToken)
    {
        var counts = await _table.CountTranslatedToAsync([.. departed.Select(d => d.Address)], cancellationToken);
        var evidence = new List<string>();
        var pinned = 0;
        foreach (var wan in departed)
        {
            var count = counts.GetValueOrDefault(wan.Address);
            pinned += count;
            evidence.Add($"{count} {Entries(count)} translated to departed {wan.Address} ({wan.Interface}); {wan.Why}");
        }

        // A periodic check is the departed address's last look: flows pinned right after the switch are caught by
        // now, and nothing is NATed to an address that carries no default route, so a clean one is forgotten.
        if (trigger.Reason == HealReason.Periodic)
        {
            Forget(departed.Where(d => counts.GetValueOrDefault(d.Address) == 0));
        }

        return pinned > 0 ? new HealDiagnosis(HealCondition.FlowPinned, evidence) : new HealDiagnosis(HealCondition.Healthy, evidence);
    }

    /// <summary>One read for everything selected; departed addresses found clean are forgotten (the flush is done).</summary>
    public async ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var departed = Current();
        var view = View(trigger);
        if (departed.Count == 0 && !view.CanStrand)
        {
            return new HealCheck(true, "no departed WAN address left");
        }

        IReadOnlyDictionary<IPAddress, int> counts;
        Dictionary<string, List<ConntrackEntry>>? groups = null;
        try
        {
            var entries = await _table.TryListAsync(cancellationToken);
            if (entries is null)
            {
                if (departed.Count == 0)
                    return new HealCheck(true, "no departed WAN address left");
                counts = await _table.CountTranslatedToAsync([.. departed.Select(d => d.Address)], cancellationToken);
            }
            else
            {
                groups = Select(entries, departed, view);
                counts = departed.ToDictionary(d => d.Address, d => groups.GetValueOrDefault(FlowSelection.TranslatedTo(d.Address))?.Count ?? 0);
            }
        }
        catch (ConntrackException ex)
        {
            return new HealCheck(false, $"cannot read conntrack: {ex.Message}");
        }

        var left = new List<string>();
        foreach (var wan in departed)
        {
            var count = counts.GetValueOrDefault(wan.Address);
            if (count > 0)
            {
                left.Add($"{count} {Entries(count)} still translated to {wan.Address}");
            }
        }

        foreach (var (why, victims) in (groups ?? []).Where(g => !departed.Any(d => g.Key == FlowSelection.TranslatedTo(d.Address))))
        {
            left.Add($"{victims.Count} {Entries(victims.Count)} still {why}");
        }

        Forget(departed.Where(d => counts.GetValueOrDefault(d.Address) == 0));
        return left.Count == 0
            ? new HealCheck(true, departed.Count == 0 ? "no entry leaves by another WAN than its address's" : $"no entries translated to {string.Join(", ", departed.Select(d => d.Address))}")
            : new HealCheck(false, string.Join("; ", left));
    }

    internal async ValueTask<string> FlushAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        var departed = Current();
        var view = View(trigger);
        IReadOnlyList<ConntrackEntry>? entries;
        try
        {
            entries = departed.Count == 0 && !view.CanStrand ? null : await _table.TryListAsync(cancellationToken);
        }
        catch (ConntrackException ex)
        {
            throw new HealActionException($"cannot read conntrack: {ex.Message}", ex);
        }

        if (entries is null)
        {
            return await FlushByAddressAsync(departed, cancellationToken);
        }

        var groups = Select(entries, departed, view);
        if (groups.Count == 0)
        {
            return $"nothing to delete via {_table.Via}";
        }

        var lines = new List<string>();
        foreach (var (why, victims) in groups)
        {
            try
            {
                var deleted = await _table.DeleteEntriesAsync(victims, cancellationToken);
                lines.Add($"deleted {deleted} {Entries(deleted)} {why} via {_table.Via}");
            }
            catch (ConntrackException ex)
            {
                throw new HealActionException($"cannot delete entries {why}: {ex.Message}", ex);
            }
        }

        return string.Join("; ", lines);
    }

    private async ValueTask<string> FlushByAddressAsync(List<DepartedWan> departed, CancellationToken cancellationToken)
    {
        if (departed.Count == 0)
        {
            return "no departed WAN address; nothing deleted";
        }

        var lines = new List<string>();
        foreach (var wan in departed)
        {
            // A trigger offered meanwhile (Wants runs while a heal does) may have made this address live again.
            if (!IsDeparted(wan.Address))
            {
                lines.Add($"{wan.Address} is no longer departed; nothing deleted");
                continue;
            }

            try
            {
                var result = await _table.DeleteTranslatedToAsync(wan.Address, cancellationToken);
                lines.Add($"deleted {result.Deleted} {Entries(result.Deleted)} translated to {wan.Address} via {result.Via}");
            }
            catch (ConntrackException ex)
            {
                throw new HealActionException($"cannot delete entries translated to {wan.Address}: {ex.Message}", ex);
            }
        }

        return string.Join("; ", lines);
    }

    /// <summary>The entries to delete, grouped by why (in a stable order: the flush reports one line per group).</summary>
    private Dictionary<string, List<ConntrackEntry>> Select(IReadOnlyList<ConntrackEntry> entries, IReadOnlyCollection<DepartedWan> departed, RouterView view)
    {
        var groups = new Dictionary<string, List<ConntrackEntry>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (FlowSelection.Why(entry, departed, view, _options.Keep) is { } why)
            {
                if (!groups.TryGetValue(why, out var list))
                    groups[why] = list = [];
                list.Add(entry);
            }
        }

        return groups;
    }

    private RouterView View(HealTrigger trigger) => RouterView.From(trigger.LocalNetwork, trigger.Uplinks, _options, _policy);

    /// <summary>Adds what this trigger shows departed, forgets addresses that are live again or kept; returns the rest.</summary>
    private List<DepartedWan> Update(HealTrigger trigger)
    {
        lock (_gate)
        {
            // An uplink whose own probes fail while another's answer has departed, whatever the routes say
            // (mwan3 moves only new connections, a metric change keeps both routes, an upstream dies behind a link
            // that stays up): its addresses are never live while it stays down.
            var downUplinks = WanDeparture.DownUplinks(trigger.Uplinks, trigger.LocalNetwork, _options.WanInterfaces);
            if (trigger.LocalNetwork is { } now)
            {
                foreach (var wan in WanDeparture.Find(trigger.PreviousLocalNetwork, now, _options.WanInterfaces))
                {
                    _departed[wan.Address] = wan;
                }

                foreach (var live in WanDeparture.LiveAddresses(now))
                {
                    if (!downUplinks.Any(d => d.Address.Equals(live)))
                        _departed.Remove(live);
                }
            }

            foreach (var wan in downUplinks)
            {
                _departed[wan.Address] = _departed.TryGetValue(wan.Address, out var known) && known.Why == wan.Why ? known : wan;
            }

            foreach (var keep in _options.Keep)
            {
                _departed.Remove(keep);
            }

            return [.. _departed.Values];
        }
    }

    /// <summary>Forgets these departures, unless the address departed again (a newer record) meanwhile.</summary>
    private void Forget(IEnumerable<DepartedWan> clean)
    {
        lock (_gate)
        {
            foreach (var wan in clean)
            {
                if (_departed.TryGetValue(wan.Address, out var now) && ReferenceEquals(now, wan))
                {
                    _departed.Remove(wan.Address);
                }
            }
        }
    }

    private bool IsDeparted(IPAddress address)
    {
        lock (_gate)
        {
            return _departed.ContainsKey(address);
        }
    }

    private List<DepartedWan> Current()
    {
        lock (_gate)
        {
            return [.. _departed.Values];
        }
    }

    private static string Entries(int n) => n == 1 ? "entry" : "entries";

    /// <summary>The only rung: delete the entries translated to departed WAN addresses.</summary>
    private sealed class FlushConntrackAction(RouterConntrackTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.FlushConntrack;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis is { Condition: HealCondition.FlowPinned or HealCondition.Unhealthy };

        public ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken) => target.FlushAsync(trigger, cancellationToken);
    }
}
