using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Decide;
using Rebound.Sense.Uplinks;

namespace Rebound.Record.Status;

/// <summary>
/// Keeps the agent's current state from the event stream: public addresses and upstream per family,
/// the recent failovers with each target's time to heal or publish, and each target's last result.
/// Heal and DDNS events are attributed to the latest failover that precedes them.
/// Thread-safe; <see cref="Snapshot"/> is a consistent copy.
/// </summary>
public sealed class StatusBoard : IEventSink
{
    public const int MaxFailovers = 50;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly string _version;
    private readonly DateTimeOffset _startedAt;
    private readonly SortedDictionary<string, FamilyStatus> _families = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, TargetStatus> _targets = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, UplinkView> _uplinks = new(StringComparer.Ordinal);

    // Oldest first; each failover's outcomes by target (insertion order kept for display).
    private readonly List<(FailoverStatus Failover, List<TargetOutcome> Outcomes, WanEvent Event)> _failovers = [];

    public StatusBoard(string version, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(time);
        _version = version;
        _time = time;
        _startedAt = time.GetUtcNow();
        foreach (var family in (ReadOnlySpan<string>)["ipv4", "ipv6"])
        {
            _families[family] = new FamilyStatus(family, null, null, null);
        }
    }

    /// <summary>
    /// The WANs router mode probes, shown as unknown until their first event; after a reload, WANs no longer
    /// probed are dropped and those already known keep their state.
    /// </summary>
    public void ExpectUplinks(IReadOnlyList<string> interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        lock (_lock)
        {
            foreach (var gone in _uplinks.Keys.Where(k => !interfaces.Contains(k, StringComparer.Ordinal)).ToList())
                _uplinks.Remove(gone);
            foreach (var name in interfaces)
                _uplinks.TryAdd(name, new UplinkView(name, "unknown", null, null, null));
        }
    }

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        lock (_lock)
        {
            switch (recorded.Source)
            {
                case WatcherStarted s:
                    // No address at start is "unknown", not "lost": the family may simply not be probed
                    // (no STUN server of that family); a real loss arrives as upstream-lost.
                    _families["ipv4"] = new FamilyStatus("ipv4", s.Ipv4?.ToString(), s.Ipv4 is null ? null : true, s.Time);
                    _families["ipv6"] = new FamilyStatus("ipv6", s.Ipv6?.ToString(), s.Ipv6 is null ? null : true, s.Time);
                    break;
                case PublicAddressChanged c:
                    _families[c.Family.ToName()] = new FamilyStatus(c.Family.ToName(), c.New.ToString(), true, c.Time);
                    AddFailover(c, c.Family, c.Old?.ToString(), c.New.ToString(), c.DetectionLatency);
                    break;
                case UpstreamLost l:
                    _families[l.Family.ToName()] = new FamilyStatus(l.Family.ToName(), null, false, l.Time);
                    // Lost with no address ever seen (started offline) is no failover: nothing moved, none -> none.
                    if (l.LastAddress is not null)
                        AddFailover(l, l.Family, l.LastAddress.ToString(), null, l.DetectionLatency);
                    break;
                case UpstreamRestored r:
                    var old = _families[r.Family.ToName()];
                    _families[r.Family.ToName()] = new FamilyStatus(r.Family.ToName(), r.Address.ToString(), true, r.Time);
                    AddFailover(r, r.Family, LastKnownAddress(r.Family) ?? old.Address, r.Address.ToString(), null);
                    break;
                case UplinkUp u:
                    var was = _uplinks.GetValueOrDefault(u.Interface);
                    _uplinks[u.Interface] = new UplinkView(u.Interface, "up", u.Address?.ToString(), null, was?.State == "up" ? was.Since : u.Time);
                    break;
                case UplinkDown d:
                    _uplinks[d.Interface] = new UplinkView(d.Interface, "down", null, null, d.Time);
                    break;
                case HealEvent heal:
                    OnHeal(heal);
                    break;
                case DdnsUpdated u:
                    OnPublished(u);
                    break;
                case DdnsFailed f:
                    OnFailed(f);
                    break;
            }
        }
    }

    /// <summary>The address before the upstream was lost, so a restore shows old → new.</summary>
    private string? LastKnownAddress(IpFamily family)
    {
        for (int i = _failovers.Count - 1; i >= 0; i--)
        {
            var (f, _, e) = _failovers[i];
            if (f.Family == family.ToName())
            {
                return e is UpstreamLost ? f.Old : f.New;
            }
        }

        return null;
    }

    private void AddFailover(WanEvent e, IpFamily family, string? old, string? @new, TimeSpan? detection)
    {
        var detect = detection is { } d ? Math.Round(d.TotalSeconds, 3) : (double?)null;
        _failovers.Add((new FailoverStatus(e.Time, e.Name, family.ToName(), old, @new, detect, []), [], e));
        if (_failovers.Count > MaxFailovers)
        {
            _failovers.RemoveAt(0);
        }
    }

    private void OnHeal(HealEvent e)
    {
        var (result, action, seconds, detail) = e switch
        {
            HealStarted s => ("healing", null, null, s.Reason.ToName()),
            HealStep s => ("healing", s.Action.ToName(), (double?)null, $"{s.Action.ToName()} {s.Result.ToName()}"),
            HealVerified v => ("verified", v.Action.ToName(), v.ElapsedMs / 1000.0, v.Evidence),
            HealFailed f => ("failed", null, null, f.Error),
            HealSkipped s => ("skipped", null, null, s.Reason.ToName()),
            HealWarning => ((string?)null, (string?)null, (double?)null, (string?)null),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.Name, "a heal event the status board does not know"),
        };
        if (result is null)
        {
            return;
        }

        var previous = _targets.GetValueOrDefault(e.Target);
        // A step keeps the target "healing" but remembers the rung being tried.
        _targets[e.Target] = new TargetStatus(e.Target, "heal", result, e.Time, action ?? previous?.Action, seconds, detail, null);
        if (e is HealSkipped && CurrentFailover(e.Time) is { } skippedIn && !skippedIn.Outcomes.Exists(o => o.Target == e.Target))
        {
            skippedIn.Outcomes.Add(new TargetOutcome(e.Target, "heal", result, null, null, detail));
        }
        else if (e is not HealSkipped && CurrentFailover(e.Time) is { } failover)
        {
            var existing = failover.Outcomes.FindIndex(o => o.Target == e.Target && o.Kind == "heal");
            var outcome = new TargetOutcome(e.Target, "heal", result, action ?? (existing >= 0 ? failover.Outcomes[existing].Action : null), seconds, detail);
            if (existing >= 0)
            {
                // Once verified, a later step does not turn the failover's outcome back to healing.
                if (failover.Outcomes[existing].Result != "verified" || result != "healing")
                    failover.Outcomes[existing] = outcome;
            }
            else
            {
                failover.Outcomes.Add(outcome);
            }
        }
    }

    private void OnPublished(DdnsUpdated u)
    {
        var result = u.Unchanged ? "unchanged" : "published";
        var detail = $"{string.Join(", ", u.Names)} via {u.Provider}";
        _targets[u.TargetId] = new TargetStatus(u.TargetId, "ddns", result, u.Time, u.Provider, u.ElapsedMs / 1000.0, detail, u.Address.ToString());
        if (!u.Refresh && CurrentFailover(u.Time) is { } failover)
        {
            Upsert(failover.Outcomes, new TargetOutcome(u.TargetId, "ddns", result, u.Provider, u.ElapsedMs / 1000.0, detail));
        }
    }

    private void OnFailed(DdnsFailed f)
    {
        var previous = _targets.GetValueOrDefault(f.TargetId);
        _targets[f.TargetId] = new TargetStatus(f.TargetId, "ddns", "failed", f.Time, f.Provider, null, f.Error, previous?.Address);
        if (CurrentFailover(f.Time) is { } failed)
        {
            Upsert(failed.Outcomes, new TargetOutcome(f.TargetId, "ddns", "failed", f.Provider, null, f.Error));
        }
    }

    private static void Upsert(List<TargetOutcome> outcomes, TargetOutcome outcome)
    {
        var index = outcomes.FindIndex(o => o.Target == outcome.Target && o.Kind == outcome.Kind);
        if (index >= 0)
            outcomes[index] = outcome;
        else
            outcomes.Add(outcome);
    }

    private (FailoverStatus Failover, List<TargetOutcome> Outcomes, WanEvent Event)? CurrentFailover(DateTimeOffset time) =>
        _failovers.Count > 0 && _failovers[^1].Failover.Time <= time ? _failovers[^1] : null;

    public StatusSnapshot Snapshot()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var failovers = new List<FailoverStatus>(_failovers.Count);
            for (int i = _failovers.Count - 1; i >= 0; i--)
            {
                failovers.Add(_failovers[i].Failover with { Targets = [.. _failovers[i].Outcomes] });
            }

            return new StatusSnapshot(
                _version,
                _startedAt,
                now,
                Math.Round((now - _startedAt).TotalSeconds, 3),
                [.. _families.Values],
                failovers.Count > 0 ? failovers[0] : null,
                failovers,
                [.. _targets.Values])
            {
                Uplinks = [.. _uplinks.Values],
            };
        }
    }
}
