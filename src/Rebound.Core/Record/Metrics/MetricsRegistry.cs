using System.Text;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Decide;
using Rebound.Sense.Uplinks;

namespace Rebound.Record.Metrics;

/// <summary>
/// The agent's Prometheus metrics. Most are fed from the event stream (<see cref="OnEvent"/>, detection latency
/// included: the events carry it); what is not an event is reported directly: <see cref="ObserveProbe"/>.
/// Thread-safe; <see cref="Render"/> writes text format 0.0.4.
/// </summary>
public sealed class MetricsRegistry : IEventSink
{
    /// <summary>Detection takes rounds of probes (seconds to a few minutes at the polite interval).</summary>
    public static readonly IReadOnlyList<double> DetectionBuckets = [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300, 600];

    /// <summary>Heals run from well under a second (re-resolve) to a minute or more (restart plus handshake).</summary>
    public static readonly IReadOnlyList<double> HealBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

    /// <summary>DNS publication: provider round trip plus the authoritative server serving it.</summary>
    public static readonly IReadOnlyList<double> PublishBuckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

    private readonly Lock _lock = new();
    private readonly string _version;
    private readonly Histogram _detection = new(DetectionBuckets);
    private readonly SortedDictionary<string, long> _wanEvents = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Target, string Action, string Result), long> _healSteps = [];
    private readonly SortedDictionary<string, long> _healFailures = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Histogram> _healSeconds = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Histogram> _publishSeconds = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Provider, string Result), long> _ddnsUpdates = [];
    private readonly SortedDictionary<string, string> _publicAddress = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, bool> _upstreamUp = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, bool> _uplinkUp = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _uplinkAddress = new(StringComparer.Ordinal);
    private long _probesOk;
    private long _probesFailed;
    private long _bytesSent;
    private long _bytesReceived;
    private long _events;

    public MetricsRegistry(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        _version = version;
    }

    /// <summary>One STUN probe: its bytes on the wire and whether an answer came back.</summary>
    public void ObserveProbe(long bytesSent, long bytesReceived, bool ok)
    {
        lock (_lock)
        {
            if (ok)
                _probesOk++;
            else
                _probesFailed++;
            _bytesSent += Math.Max(0, bytesSent);
            _bytesReceived += Math.Max(0, bytesReceived);
        }
    }

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        lock (_lock)
        {
            _events++;
            if (recorded.Source.Kind.Family == EventFamily.Wan && recorded.Source is not WatcherStarted)
                Count(_wanEvents, recorded.Kind);
            switch (recorded.Source)
            {
                case WatcherStarted s:
                    SetFamily(IpFamily.Ipv4, s.Ipv4?.ToString());
                    SetFamily(IpFamily.Ipv6, s.Ipv6?.ToString());
                    break;
                case PublicAddressChanged c:
                    SetFamily(c.Family, c.New.ToString());
                    ObserveDetection(c.DetectionLatency);
                    break;
                case UpstreamLost l:
                    SetFamily(l.Family, null);
                    ObserveDetection(l.DetectionLatency);
                    break;
                case UpstreamRestored r:
                    SetFamily(r.Family, r.Address.ToString());
                    break;
                case UplinkUp u:
                    _uplinkUp[u.Interface] = true;
                    if (u.Address is { } address)
                        _uplinkAddress[u.Interface] = address.ToString();
                    break;
                case UplinkDown d:
                    _uplinkUp[d.Interface] = false;
                    _uplinkAddress.Remove(d.Interface);
                    break;
                case HealStep step:
                    Count(_healSteps, (step.Target, step.Action.ToName(), step.Result.ToName()));
                    break;
                case HealVerified verified:
                    Histogram(_healSeconds, verified.Target, HealBuckets).Observe(verified.ElapsedMs / 1000.0);
                    break;
                case HealFailed failed:
                    Count(_healFailures, failed.Target);
                    break;
                case DdnsUpdated u:
                    Count(_ddnsUpdates, (u.Provider, u.Unchanged ? "unchanged" : "updated"));
                    // A forced refresh times the send, not a failover; it would skew "time to published".
                    if (!u.Refresh)
                        Histogram(_publishSeconds, u.Provider, PublishBuckets).Observe(u.ElapsedMs / 1000.0);
                    break;
                case DdnsFailed f:
                    Count(_ddnsUpdates, (f.Provider, "failed"));
                    break;
            }
        }
    }

    /// <summary>Time from the last round that saw the old state to the confirmed event (carried by the event).</summary>
    private void ObserveDetection(TimeSpan? latency)
    {
        if (latency is { } l)
            _detection.Observe(l.TotalSeconds);
    }

    private void SetFamily(IpFamily family, string? address)
    {
        var name = family.ToName();
        _upstreamUp[name] = address is not null;
        if (address is null)
            _publicAddress.Remove(name);
        else
            _publicAddress[name] = address;
    }

    private static void Count<TKey>(SortedDictionary<TKey, long> counters, TKey key)
        where TKey : notnull =>
        counters[key] = counters.GetValueOrDefault(key) + 1;

    private static Histogram Histogram(SortedDictionary<string, Histogram> histograms, string label, IReadOnlyList<double> bounds)
    {
        if (!histograms.TryGetValue(label, out var histogram))
        {
            histogram = new Histogram(bounds);
            histograms[label] = histogram;
        }

        return histogram;
    }

    /// <summary>The whole exposition, every family with HELP and TYPE, label sets in a stable order.</summary>
    /// <summary>
    /// The process itself, so a fleet can alert on a leak: resident memory, descriptors, and the managed heap
    /// (resident memory growing while the heap stays flat points away from managed code).
    /// </summary>
    private static void WriteProcess(StringBuilder text)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        PrometheusText.Header(text, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        PrometheusText.Sample(text, "process_resident_memory_bytes", [], self.WorkingSet64);
        PrometheusText.Header(text, "process_open_fds", "gauge", "Number of open file descriptors.");
        PrometheusText.Sample(text, "process_open_fds", [], OpenDescriptors());
        var gc = GC.GetGCMemoryInfo();
        PrometheusText.Header(text, "rebound_gc_heap_bytes", "gauge", "Managed heap size after the last garbage collection.");
        PrometheusText.Sample(text, "rebound_gc_heap_bytes", [], gc.HeapSizeBytes);
        PrometheusText.Header(text, "rebound_gc_committed_bytes", "gauge", "Memory committed by the garbage collector.");
        PrometheusText.Sample(text, "rebound_gc_committed_bytes", [], gc.TotalCommittedBytes);
        PrometheusText.Header(text, "rebound_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since start.");
        PrometheusText.Sample(text, "rebound_gc_allocated_bytes_total", [], GC.GetTotalAllocatedBytes());
        PrometheusText.Header(text, "rebound_gc_collections_total", "counter", "Garbage collections by generation.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            PrometheusText.Sample(text, "rebound_gc_collections_total", ["generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)], GC.CollectionCount(generation));
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.GetFiles("/proc/self/fd").Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    public string Render()
    {
        var text = new StringBuilder(4096);
        lock (_lock)
        {
            PrometheusText.Header(text, "rebound_build_info", "gauge", "Rebound build; the value is always 1.");
            PrometheusText.Sample(text, "rebound_build_info", ["version", _version], 1);

            WriteProcess(text);

            PrometheusText.Header(text, "rebound_events_total", "counter", "Events recorded (every kind).");
            PrometheusText.Sample(text, "rebound_events_total", [], _events);

            PrometheusText.Header(text, "rebound_public_address_info", "gauge", "The current public address per family; absent while unknown or the upstream is lost.");
            foreach (var (family, address) in _publicAddress)
                PrometheusText.Sample(text, "rebound_public_address_info", ["family", family, "address", address], 1);

            PrometheusText.Header(text, "rebound_upstream_up", "gauge", "1 when STUN servers of the family answer, 0 when the upstream is lost.");
            foreach (var (family, up) in _upstreamUp)
                PrometheusText.Sample(text, "rebound_upstream_up", ["family", family], up ? 1 : 0);

            PrometheusText.Header(text, "rebound_uplink_up", "gauge", "Router mode: 1 when probes through the WAN interface come back, 0 when they stopped.");
            foreach (var (name, up) in _uplinkUp)
                PrometheusText.Sample(text, "rebound_uplink_up", ["interface", name], up ? 1 : 0);

            PrometheusText.Header(text, "rebound_uplink_public_address_info", "gauge", "Router mode: the public address seen through each WAN that is up.");
            foreach (var (name, address) in _uplinkAddress)
                PrometheusText.Sample(text, "rebound_uplink_public_address_info", ["interface", name, "family", "ipv4", "address", address], 1);

            PrometheusText.Header(text, "rebound_wan_events_total", "counter", "Confirmed WAN events (failovers) by kind.");
            foreach (var (name, count) in _wanEvents)
                PrometheusText.Sample(text, "rebound_wan_events_total", ["event", name], count);

            PrometheusText.Header(text, "rebound_detection_seconds", "histogram", "Time from the last probe round that still saw the old state to the confirmed WAN event (an upper bound of detection latency).");
            _detection.Write(text, "rebound_detection_seconds", []);

            PrometheusText.Header(text, "rebound_probes_total", "counter", "STUN probes by result.");
            PrometheusText.Sample(text, "rebound_probes_total", ["result", "ok"], _probesOk);
            PrometheusText.Sample(text, "rebound_probes_total", ["result", "failed"], _probesFailed);

            PrometheusText.Header(text, "rebound_probe_bytes_total", "counter", "STUN probe bytes on the wire (UDP payload).");
            PrometheusText.Sample(text, "rebound_probe_bytes_total", ["direction", "sent"], _bytesSent);
            PrometheusText.Sample(text, "rebound_probe_bytes_total", ["direction", "received"], _bytesReceived);

            PrometheusText.Header(text, "rebound_heal_steps_total", "counter", "Heal ladder steps by target, action and result.");
            foreach (var ((target, action, result), count) in _healSteps)
                PrometheusText.Sample(text, "rebound_heal_steps_total", ["target", target, "action", action, "result", result], count);

            PrometheusText.Header(text, "rebound_heal_failures_total", "counter", "Heals that ended without verification, by target.");
            foreach (var (target, count) in _healFailures)
                PrometheusText.Sample(text, "rebound_heal_failures_total", ["target", target], count);

            PrometheusText.Header(text, "rebound_heal_seconds", "histogram", "Time from the detecting event to the verified heal, by target.");
            foreach (var (target, histogram) in _healSeconds)
                histogram.Write(text, "rebound_heal_seconds", ["target", target]);

            PrometheusText.Header(text, "rebound_ddns_updates_total", "counter", "DNS updates by provider and result (updated, unchanged, failed).");
            foreach (var ((provider, result), count) in _ddnsUpdates)
                PrometheusText.Sample(text, "rebound_ddns_updates_total", ["provider", provider, "result", result], count);

            PrometheusText.Header(text, "rebound_ddns_publish_seconds", "histogram", "Time from the detection of an address to the DNS serving it, by provider.");
            foreach (var (provider, histogram) in _publishSeconds)
                histogram.Write(text, "rebound_ddns_publish_seconds", ["provider", provider]);
        }

        return text.ToString();
    }
}
