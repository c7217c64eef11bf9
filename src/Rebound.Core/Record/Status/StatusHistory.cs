using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Decide;
using Rebound.Sense.Uplinks;

namespace Rebound.Record.Status;

/// <summary>A subject's health: worse states have higher values (a strip bucket shows the worst it held).</summary>
public enum Health
{
    Unknown,
    Up,
    Degraded,
    Down,
}

/// <summary>From <paramref name="Time"/> on, the subject was in <paramref name="State"/>.</summary>
public sealed record HealthChange(DateTimeOffset Time, Health State);

/// <summary>One subject of the health strips: an upstream family, a router uplink or a target, with its changes (oldest first).</summary>
public sealed record HealthLine(string Subject, string Kind, IReadOnlyList<HealthChange> Changes);

/// <summary>A public address that came into use (<paramref name="Address"/> null: none, the upstream was lost).</summary>
public sealed record AddressChange(DateTimeOffset Time, string Subject, string? Address, string Event);

/// <summary>One recorded event and its place in the sequence the agent saw (stable across re-renders).</summary>
public sealed record HistoryEvent(long Sequence, RecordedEvent Event);

/// <summary>
/// What the status page draws beyond the current state: each subject's health over the last day (from the events,
/// never from guesses), the public addresses in order, and the newest events with their typed source. In memory only:
/// it starts empty with the agent. Thread-safe.
/// </summary>
public sealed class StatusHistory : IEventSink
{
    public const int MaxEvents = 200;
    public const int MaxAddresses = 50;

    /// <summary>Changes older than this (but the last one before it) are dropped: the strips cover one day.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    // A flapping subject could otherwise grow a day of changes without bound.
    private const int MaxChangesPerSubject = 2000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Kind, int Order, List<HealthChange> Changes)> _health = new(StringComparer.Ordinal);
    private readonly Queue<AddressChange> _addresses = new();
    private readonly Queue<HistoryEvent> _events = new();
    private long _sequence;

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        lock (_lock)
        {
            _events.Enqueue(new HistoryEvent(++_sequence, recorded));
            if (_events.Count > MaxEvents)
                _events.Dequeue();

            // A DDNS event comes once per name: the copies after the first set the same state again, which changes nothing.
            Apply(recorded.Source);
        }
    }

    private void Apply(ReboundEvent e)
    {
        switch (e)
        {
            case WatcherStarted s:
                foreach (var (family, first) in (ReadOnlySpan<(IpFamily, System.Net.IPAddress?)>)[(IpFamily.Ipv4, s.Ipv4), (IpFamily.Ipv6, s.Ipv6)])
                {
                    if (first is null)
                        continue;
                    Set(Upstream(family), "upstream", 0, s.Time, Health.Up);
                    AddAddress(s.Time, family.ToName(), first.ToString(), s.Name);
                }

                break;
            case PublicAddressChanged c:
                Set(Upstream(c.Family), "upstream", 0, c.Time, Health.Up);
                AddAddress(c.Time, c.Family.ToName(), c.New.ToString(), c.Name);
                break;
            case UpstreamLost l:
                Set(Upstream(l.Family), "upstream", 0, l.Time, Health.Down);
                if (l.LastAddress is not null)
                    AddAddress(l.Time, l.Family.ToName(), null, l.Name);
                break;
            case UpstreamRestored r:
                Set(Upstream(r.Family), "upstream", 0, r.Time, Health.Up);
                AddAddress(r.Time, r.Family.ToName(), r.Address.ToString(), r.Name);
                break;
            case SourcesDegraded d:
                Set(Upstream(d.Family), "upstream", 0, d.Time, Health.Degraded);
                break;
            case SourcesRecovered r when Current(Upstream(r.Family)) == Health.Degraded:
                Set(Upstream(r.Family), "upstream", 0, r.Time, Health.Up);
                break;
            case UplinkUp u:
                Set("uplink " + u.Interface, "uplink", 1, u.Time, Health.Up);
                if (u.Address is { } address && LastAddress($"{u.Interface} {u.Family.ToName()}") != address.ToString())
                    AddAddress(u.Time, $"{u.Interface} {u.Family.ToName()}", address.ToString(), u.Name);
                break;
            case UplinkDown d:
                Set("uplink " + d.Interface, "uplink", 1, d.Time, Health.Down);
                if (LastAddress($"{d.Interface} {d.Family.ToName()}") is not null)
                    AddAddress(d.Time, $"{d.Interface} {d.Family.ToName()}", null, d.Name);
                break;
            case HealStarted or HealStep:
                Set(((HealEvent)e).Target, "heal", 2, e.Time, Health.Degraded);
                break;
            case HealVerified v:
                Set(v.Target, "heal", 2, v.Time, Health.Up);
                break;
            case HealFailed f:
                Set(f.Target, "heal", 2, f.Time, Health.Down);
                break;
            case HealSkipped s when s.Diagnosis.Condition == HealCondition.Healthy:
                Set(s.Target, "heal", 2, s.Time, Health.Up);
                break;
            case DdnsUpdated u:
                Set(u.TargetId, "ddns", 2, u.Time, Health.Up);
                break;
            case DdnsFailed f:
                Set(f.TargetId, "ddns", 2, f.Time, f.Fatal || f.RetryIn is null ? Health.Down : Health.Degraded);
                break;
        }
    }

    private static string Upstream(IpFamily family) => "upstream " + family.ToName();

    private Health Current(string subject) =>
        _health.TryGetValue(subject, out var line) && line.Changes.Count > 0 ? line.Changes[^1].State : Health.Unknown;

    private void Set(string subject, string kind, int order, DateTimeOffset time, Health state)
    {
        if (!_health.TryGetValue(subject, out var line))
        {
            line = (kind, order, []);
            _health[subject] = line;
        }

        var changes = line.Changes;
        if (changes.Count > 0 && changes[^1].State == state)
            return;
        changes.Add(new HealthChange(time, state));

        // Keep the last change before the window: it is the state the window starts in.
        var drop = 0;
        while (drop + 1 < changes.Count && (changes[drop + 1].Time <= time - Window || changes.Count - drop > MaxChangesPerSubject))
            drop++;
        changes.RemoveRange(0, drop);
    }

    private string? LastAddress(string subject) => _addresses.LastOrDefault(a => a.Subject == subject)?.Address;

    private void AddAddress(DateTimeOffset time, string subject, string? address, string @event)
    {
        _addresses.Enqueue(new AddressChange(time, subject, address, @event));
        if (_addresses.Count > MaxAddresses)
            _addresses.Dequeue();
    }

    /// <summary>Upstream families first, then uplinks, then targets; each by name.</summary>
    public IReadOnlyList<HealthLine> HealthLines()
    {
        lock (_lock)
        {
            return
            [
                .. _health.OrderBy(h => h.Value.Order).ThenBy(h => h.Key, StringComparer.Ordinal)
                    .Select(h => new HealthLine(h.Key, h.Value.Kind, [.. h.Value.Changes])),
            ];
        }
    }

    /// <summary>The public addresses in use, newest first.</summary>
    public IReadOnlyList<AddressChange> Addresses()
    {
        lock (_lock)
        {
            return [.. _addresses.Reverse()];
        }
    }

    /// <summary>The newest <paramref name="limit"/> events, newest first.</summary>
    public IReadOnlyList<HistoryEvent> Events(int limit)
    {
        lock (_lock)
        {
            return [.. _events.Reverse().Take(limit)];
        }
    }

    /// <summary>
    /// <paramref name="line"/> over <paramref name="buckets"/> equal slices of the day before <paramref name="now"/>,
    /// oldest first: each slice the worst state held in it (so a two-second outage shows in a 15-minute slice).
    /// </summary>
    public static IReadOnlyList<Health> Buckets(HealthLine line, DateTimeOffset now, int buckets)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var result = new Health[buckets];
        var start = now - Window;
        var width = Window / buckets;
        var changes = line.Changes;
        var next = 0;
        var state = Health.Unknown;
        for (int b = 0; b < buckets; b++)
        {
            var from = start + (width * b);
            var to = from + width;
            while (next < changes.Count && changes[next].Time <= from)
                state = changes[next++].State;
            var worst = state;
            // A change on a slice's end belongs to the next slice; the last slice takes the rest (a clock that stepped back included).
            while (next < changes.Count && (changes[next].Time < to || b == buckets - 1))
            {
                state = changes[next++].State;
                if (state > worst)
                    worst = state;
            }

            result[b] = worst;
        }

        return result;
    }
}
