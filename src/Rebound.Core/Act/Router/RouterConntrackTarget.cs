using System.Net;
using Rebound.Act.Heal;

namespace Rebound.Act.Router;

/// <summary>
/// Router mode: when Rebound runs on the Linux router itself and the WAN switches by route or policy (mwan3,
/// gateway groups), static SNAT keeps every existing flow translated to the departed WAN's address. This target
/// finds those conntrack entries (reply destination = departed address) and deletes them, so each LAN flow is
/// translated afresh on its next packet. Entries translated to a live WAN address (one whose interface still has a
/// default route, at any metric) are never touched. Departed addresses are remembered across triggers, so a
/// periodic check still finds flows pinned later, until verified clean or live again.
/// </summary>
public sealed class RouterConntrackTarget : IHealTarget
{
    public const string TargetName = "router:conntrack";

    private readonly IConntrackTable _table;
    private readonly RouterConntrackOptions _options;
    private readonly Dictionary<IPAddress, DepartedWan> _departed = [];
    private readonly Lock _gate = new();

    public RouterConntrackTarget(IConntrackTable table, RouterConntrackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
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
        if (departed.Count == 0)
        {
            return HealDiagnosis.Healthy("no WAN has departed");
        }

        IReadOnlyDictionary<IPAddress, int> counts;
        try
        {
            counts = await _table.CountTranslatedToAsync([.. departed.Select(d => d.Address)], cancellationToken);
        }
        catch (ConntrackException ex)
        {
            return new HealDiagnosis(HealCondition.Unhealthy, [$"cannot read conntrack: {ex.Message}", .. departed.Select(d => d.Why)]);
        }

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

    /// <summary>One count for all departed addresses; those found clean are forgotten (the flush is done).</summary>
    public async ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        var departed = Current();
        if (departed.Count == 0)
        {
            return new HealCheck(true, "no departed WAN address left");
        }

        IReadOnlyDictionary<IPAddress, int> counts;
        try
        {
            counts = await _table.CountTranslatedToAsync([.. departed.Select(d => d.Address)], cancellationToken);
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

        Forget(departed.Where(d => counts.GetValueOrDefault(d.Address) == 0));
        return left.Count == 0
            ? new HealCheck(true, $"no entries translated to {string.Join(", ", departed.Select(d => d.Address))}")
            : new HealCheck(false, string.Join("; ", left));
    }

    internal async ValueTask<string> FlushAsync(CancellationToken cancellationToken)
    {
        var departed = Current();
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

        public ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken) => target.FlushAsync(cancellationToken);
    }
}
