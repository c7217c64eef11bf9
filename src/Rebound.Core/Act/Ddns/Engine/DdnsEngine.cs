using System.Net;
using System.Threading.Channels;
using Rebound.Act.Engine;
using Rebound.Decide;

namespace Rebound.Act.Ddns.Engine;

/// <summary>
/// Keeps DDNS targets pointed at the current public addresses. Feed it with <see cref="OnAddress"/>
/// (or <see cref="OnWanEvent"/>), run <see cref="RunAsync"/>, read <see cref="Events"/>.
/// <list type="bullet">
/// <item>Per record (target id + name + family) it remembers the last address the provider accepted
/// and never sends it again, except as a forced <see cref="DdnsTarget.Refresh"/>.</item>
/// <item>Inside a target's <see cref="DdnsTarget.MinInterval"/> the newest address is held and sent
/// when the window opens; if it went back to the published one, nothing is sent.</item>
/// <item>RetryLater: retried after the given delay, or an exponential backoff (capped) when none was
/// given, always with the newest address. Fatal: the target stops until the engine is restarted,
/// reported once.</item>
/// <item>Updated + verifier: the verifier is polled until it serves the address (or the timeout).</item>
/// </list>
/// Each target runs on its own <see cref="TargetLoop"/>, so a slow provider delays only its own target;
/// <see cref="OnAddress"/> only records the address and wakes the loops.
/// </summary>
public sealed class DdnsEngine
{
    private readonly DdnsEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly DdnsCache _cache;
    private readonly Channel<DdnsEvent> _events = Channel.CreateUnbounded<DdnsEvent>(new UnboundedChannelOptions { SingleReader = false });
    private readonly TargetUpdater[] _targets;

    public DdnsEngine(IReadOnlyList<DdnsTarget> targets, DdnsEngineOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _options = options ?? new DdnsEngineOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        foreach (var target in targets)
            target.Validate();
        if (targets.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count() != targets.Count)
            throw new ArgumentException("DDNS target ids must be unique", nameof(targets));
        var renames = targets.SelectMany(t => t.FormerIds.Where(f => f != t.Id).Select(f => (Former: f, t.Id)))
            .DistinctBy(r => r.Former, StringComparer.Ordinal).ToDictionary(r => r.Former, r => r.Id, StringComparer.Ordinal);
        _cache = DdnsCache.Load(_options.CachePath, Warn, renames);
        _targets = [.. targets.Select(t => new TargetUpdater(this, t))];
    }

    /// <summary>
    /// Everything the engine does, in order: <see cref="DdnsUpdated"/>, <see cref="DdnsFailed"/>,
    /// <see cref="DdnsWarning"/>. Unbounded; completed when <see cref="RunAsync"/> ends.
    /// </summary>
    public ChannelReader<DdnsEvent> Events => _events.Reader;

    /// <summary>
    /// The current public address of <paramref name="family"/>, detected at <paramref name="detectedAt"/>
    /// (the watcher event's time; time-to-published is measured from it). Returns at once.
    /// </summary>
    public void OnAddress(IpFamily family, IPAddress address, DateTimeOffset detectedAt)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IpFamilyNames.Of(address) != family)
            throw new ArgumentException($"{address} is not an {family.ToName()} address", nameof(address));
        foreach (var target in _targets)
            target.OnAddress(family, address, detectedAt);
    }

    /// <summary>
    /// Feeds the addresses of watcher events: <see cref="WatcherStarted"/>, <see cref="PublicAddressChanged"/>,
    /// <see cref="UpstreamRestored"/>. Others are ignored (a lost upstream leaves the records alone).
    /// </summary>
    public void OnWanEvent(WanEvent wanEvent)
    {
        switch (wanEvent)
        {
            case WatcherStarted started:
                if (started.Ipv4 is { } v4)
                    OnAddress(IpFamily.Ipv4, v4, started.Time);
                if (started.Ipv6 is { } v6)
                    OnAddress(IpFamily.Ipv6, v6, started.Time);
                break;
            case PublicAddressChanged { Ambiguous: true }:
                // The sources disagree (a pooling carrier NAT): nothing to publish until one address emerges; the event says so.
                break;
            case PublicAddressChanged changed:
                OnAddress(changed.Family, changed.New, changed.Time);
                break;
            case UpstreamRestored restored:
                OnAddress(restored.Family, restored.Address, restored.Time);
                break;
        }
    }

    /// <summary>Runs every target until <paramref name="cancellationToken"/> is cancelled; then returns (does not throw).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_targets.Select(t => Task.Run(() => t.RunAsync(cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary>
    /// One pass for scripts (<c>rebound ddns update</c>): every record of every target is compared with
    /// the cache for <paramref name="addresses"/> (the families missing there are left alone). Unless
    /// <paramref name="dryRun"/>, what is not current is sent now — one request per target, as
    /// <see cref="RunAsync"/> does, ignoring <see cref="DdnsTarget.MinInterval"/> — and the call returns
    /// once every send has its answer and every verification has ended (served or
    /// <see cref="DdnsEngineOptions.VerifyTimeout"/>). RetryLater is not waited out: it is a
    /// <see cref="DdnsFailed"/> with no <see cref="DdnsFailed.RetryIn"/>. Accepted records are cached
    /// as by <see cref="RunAsync"/>; a dry run sends nothing and writes nothing.
    /// Not to be mixed with <see cref="RunAsync"/> on the same engine. Cancellation throws; events
    /// produced until then stay readable from <see cref="Events"/>.
    /// </summary>
    public async Task<DdnsOnceResult> UpdateOnceAsync(IReadOnlyDictionary<IpFamily, IPAddress> addresses, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var wanted = new Dictionary<IpFamily, IPAddress>();
        foreach (var (family, given) in addresses)
        {
            var address = given.IsIPv4MappedToIPv6 ? given.MapToIPv4() : given;
            if (IpFamilyNames.Of(address) != family)
                throw new ArgumentException($"{address} is not an {family.ToName()} address", nameof(addresses));
            wanted[family] = address;
        }

        var now = _time.GetUtcNow();
        var passes = _targets.Select(t => Task.Run(() => t.OnceAsync(wanted, now, dryRun, cancellationToken), CancellationToken.None)).ToList();
        var records = (await Task.WhenAll(passes).ConfigureAwait(false)).SelectMany(r => r).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var events = new List<DdnsEvent>();
        while (_events.Reader.TryRead(out var e))
        {
            // A one-shot retries nothing: the failure is final for this run.
            events.Add(e is DdnsFailed { RetryIn: not null } failed ? failed with { RetryIn = null } : e);
        }

        return new DdnsOnceResult(records, events, dryRun);
    }

    /// <summary>Every target is waiting for time only: nothing due now, no send or verification poll in flight. A test seam.</summary>
    public bool IsIdle => _targets.All(t => t.Loop.IsIdle);

    /// <summary>
    /// Completes once no send or verification query is in flight and none is due, so that what the provider is
    /// applying right now is recorded (else the next start resends it). A stopping agent waits for this, bounded by
    /// its grace, before it cancels <see cref="RunAsync"/>; verifications waiting for their next query do not hold it.
    /// </summary>
    public Task DrainAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_targets.Select(t => t.Loop.DrainAsync(cancellationToken)));

    private void Emit(DdnsEvent e) => _events.Writer.TryWrite(e);

    private void Warn(string message) => Emit(new DdnsWarning(_time.GetUtcNow(), message));

    private static string OneLine(string message) => DdnsText.Sanitise(message, [], maxLength: 300);

    private static long Milliseconds(TimeSpan elapsed) => (long)Math.Max(0, elapsed.TotalMilliseconds);

    private sealed record Desired(IPAddress Address, DateTimeOffset DetectedAt);

    private sealed record Pending(string Name, IpFamily Family, IPAddress Address, DateTimeOffset DetectedAt, bool Refresh)
    {
        /// <summary>Sent because the server was found holding something else than the cache said.</summary>
        public bool Drift { get; init; }
    }

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>One target's update policy on its <see cref="TargetLoop"/>: per-record cache, hold-newest, backoff, verification.</summary>
    private sealed class TargetUpdater(DdnsEngine engine, DdnsTarget target)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<IpFamily, Desired> _desired = [];
        private readonly Dictionary<IpFamily, CancellationTokenSource> _verifications = [];
        private readonly string[] _names = [.. target.Names.Select(DdnsCache.NormaliseName).Distinct(StringComparer.Ordinal)];
        private readonly Backoff _backoff = new(engine._options.InitialBackoff, engine._options.MaxBackoff);
        private bool _fatal;
        private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
        private DateTimeOffset? _lastAttempt;
        private DateTimeOffset _nextDriftCheck = DateTimeOffset.MinValue;
        private readonly HashSet<(string Name, IpFamily Family)> _drifted = [];
        private readonly HashSet<(string Name, IpFamily Family, IPAddress Address)> _confirmed = [];
        private readonly HashSet<(string Name, IpFamily Family, IPAddress Address)> _unknown = [];

        public TargetLoop Loop { get; } = new(engine._time);

        private TimeSpan DriftCheckInterval => target.DriftCheck ?? engine._options.DriftCheckInterval;

        public async Task<List<DdnsRecordState>> OnceAsync(Dictionary<IpFamily, IPAddress> addresses, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
        {
            var states = new List<DdnsRecordState>();
            List<Pending> batch;
            lock (_gate)
            {
                foreach (var family in target.Families.Distinct())
                {
                    if (addresses.TryGetValue(family, out var address))
                    {
                        if (!_desired.TryGetValue(family, out var current) || !current.Address.Equals(address))
                            _desired[family] = new Desired(address, now);
                    }
                    else
                    {
                        _desired.Remove(family);
                    }
                }

            }

            // As at the start of a run: a record the cache calls current is asked of the server first.
            var sentAt = new Dictionary<(string, IpFamily), DateTimeOffset>();
            if (target.Verifier is { } verifier && !_fatal)
            {
                lock (_gate)
                {
                    foreach (var family in target.Families.Distinct())
                    {
                        foreach (var name in _names)
                        {
                            if (engine._cache.Get(target.Id, name, family) is { } entry)
                                sentAt[(name, family)] = entry.SentAt;
                        }
                    }
                }

                await CheckDriftAsync(verifier, once: true, cancellationToken).ConfigureAwait(false);
            }

            lock (_gate)
            {
                batch = _fatal ? [] : Due(now, out _);
                foreach (var family in target.Families.Distinct())
                {
                    foreach (var name in _names)
                    {
                        if (!_desired.TryGetValue(family, out var desired))
                        {
                            states.Add(new DdnsRecordState(target.Id, target.Provider, name, family, null, DdnsRecordStatus.NoAddress, null));
                            continue;
                        }

                        var due = batch.FirstOrDefault(p => p.Family == family && p.Name == name);
                        DateTimeOffset? sent = engine._cache.Get(target.Id, name, family)?.SentAt;
                        if (sent is null && sentAt.TryGetValue((name, family), out var was))
                            sent = was; // forgotten by the drift check just now
                        var status = due is null ? DdnsRecordStatus.Current : due.Refresh ? DdnsRecordStatus.Refresh : DdnsRecordStatus.Send;
                        states.Add(new DdnsRecordState(target.Id, target.Provider, name, family, desired.Address, status, sent)
                        {
                            Drift = due?.Drift ?? false,
                            Unconfirmed = due is null && _unknown.Contains((name, family, desired.Address)),
                        });
                    }
                }

                if (dryRun || batch.Count == 0)
                    return states;
                _lastAttempt = now;
                foreach (var family in batch.Select(p => p.Family).Distinct())
                {
                    if (_verifications.Remove(family, out var old))
                        old.Cancel();
                }
            }

            var (_, verifications) = await SendAsync(batch, now, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(verifications).ConfigureAwait(false);
            return states;
        }

        public void OnAddress(IpFamily family, IPAddress address, DateTimeOffset detectedAt)
        {
            if (!target.Families.Contains(family))
                return;
            lock (_gate)
            {
                // The same address again keeps its first detection time.
                if (_desired.TryGetValue(family, out var current) && current.Address.Equals(address))
                    return;
                _desired[family] = new Desired(address, detectedAt);
            }

            Loop.Wake();
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Loop.RunAsync(PassAsync, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    foreach (var cts in _verifications.Values)
                        cts.Cancel();
                }
            }
        }

        /// <summary>Sends what is due; returns when to look again (null: only when woken).</summary>
        private async Task<DateTimeOffset?> PassAsync(CancellationToken cancellationToken)
        {
            var now = engine._time.GetUtcNow();
            if (target.Verifier is { } verifier && !_fatal)
            {
                if (now >= _nextDriftCheck)
                {
                    lock (_gate)
                    {
                        _confirmed.Clear();
                        _unknown.Clear();
                    }
                    _nextDriftCheck = now + DriftCheckInterval;
                }

                if (await CheckDriftAsync(verifier, once: false, cancellationToken).ConfigureAwait(false))
                    now = engine._time.GetUtcNow();
            }

            List<Pending> batch;
            lock (_gate)
            {
                if (_fatal)
                    return null;
                batch = Due(now, out var nextRefresh);
                if (target.Verifier is not null && (nextRefresh is null || _nextDriftCheck < nextRefresh))
                    nextRefresh = _nextDriftCheck;
                if (batch.Count == 0)
                    return nextRefresh;
                var gate = _retryAt;
                if (_lastAttempt is { } last && last + target.MinInterval > gate)
                    gate = last + target.MinInterval;
                if (gate > now)
                    return gate;
                _lastAttempt = now;

                // A newer send supersedes a verification still running for the same family.
                foreach (var family in batch.Select(p => p.Family).Distinct())
                {
                    if (_verifications.Remove(family, out var old))
                        old.Cancel();
                }
            }

            var (answeredAt, _) = await SendAsync(batch, now, cancellationToken).ConfigureAwait(false);
            return answeredAt;
        }

        /// <summary>
        /// Trust the server, not the cache: every record the cache calls current and not asked since the last scheduled
        /// check (or since start, or since it was sent) is asked of the verifier; one the server does not hold is
        /// forgotten, so the pass that follows sends it (and reports it as drift). A server that could not be asked
        /// proves nothing: the record stays current, one warning says so, and it is asked again at the next scheduled
        /// check. True when anything was asked.
        /// </summary>
        private async Task<bool> CheckDriftAsync(IDnsVerifier verifier, bool once, CancellationToken cancellationToken)
        {
            List<(string Name, IpFamily Family, IPAddress Address)> current = [];
            lock (_gate)
            {
                foreach (var family in target.Families.Distinct())
                {
                    if (!_desired.TryGetValue(family, out var desired))
                        continue;
                    foreach (var name in _names)
                    {
                        if (engine._cache.Get(target.Id, name, family) is { } cached && cached.Address.Equals(desired.Address)
                            && !_confirmed.Contains((name, family, cached.Address)) && !_unknown.Contains((name, family, cached.Address)))
                            current.Add((name, family, cached.Address));
                    }
                }
            }

            var unknown = new List<string>();
            foreach (var record in current)
            {
                var (name, family, address) = record;
                var serving = await CheckAsync(verifier, name, address, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    switch (serving)
                    {
                        case DnsServing.Served:
                            _confirmed.Add(record);
                            break;
                        case DnsServing.NotServed:
                            engine._cache.Remove(target.Id, name, family);
                            _drifted.Add((name, family));
                            break;
                        default:
                            _unknown.Add(record);
                            unknown.Add($"{name} {(family == IpFamily.Ipv6 ? "AAAA" : "A")}");
                            break;
                    }
                }
            }

            if (unknown.Count > 0)
            {
                engine.Warn($"{target.Id}: drift check of {string.Join(", ", unknown)} at the {target.Provider} server gave no answer; "
                    + (once ? "the cached address is trusted" : $"the cached address is kept and asked again in {DdnsText.Duration(DriftCheckInterval)}"));
            }

            return current.Count > 0;
        }

        /// <summary>
        /// The records of the wanted addresses that are not current (or due for a forced refresh), and
        /// when the next refresh falls due. Caller holds <see cref="_gate"/>.
        /// </summary>
        private List<Pending> Due(DateTimeOffset now, out DateTimeOffset? nextRefresh)
        {
            var batch = new List<Pending>();
            nextRefresh = null;
            foreach (var family in target.Families.Distinct())
            {
                if (!_desired.TryGetValue(family, out var desired))
                    continue;
                foreach (var name in _names)
                {
                    var cached = engine._cache.Get(target.Id, name, family);
                    if (cached is null || !cached.Address.Equals(desired.Address))
                    {
                        batch.Add(new Pending(name, family, desired.Address, desired.DetectedAt, Refresh: false) { Drift = _drifted.Contains((name, family)) });
                    }
                    else if (target.Refresh is { } refresh)
                    {
                        var refreshAt = cached.SentAt + refresh;
                        if (refreshAt <= now)
                            batch.Add(new Pending(name, family, desired.Address, desired.DetectedAt, Refresh: true));
                        else if (nextRefresh is null || refreshAt < nextRefresh)
                            nextRefresh = refreshAt;
                    }
                }
            }

            return batch;
        }

        /// <summary>
        /// One request for <paramref name="batch"/> (never empty): records the answer, emits its events and
        /// starts the verifications. Returns when the provider answered, and the verifications started.
        /// </summary>
        private async Task<(DateTimeOffset AnsweredAt, List<Task> Verifications)> SendAsync(List<Pending> batch, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var updates = batch.Select(p => new DdnsRecordUpdate(p.Name, p.Address)).ToList();
            DdnsUpdateResult result;
            var accepted = new bool[batch.Count];
            try
            {
                if (target.Updater is IDdnsPerRecordUpdater perRecord)
                {
                    var results = await perRecord.UpdateEachAsync(updates, cancellationToken).ConfigureAwait(false);
                    result = HttpProviderUpdater.Combine(results);
                    for (int i = 0; i < accepted.Length; i++)
                        accepted[i] = result.Succeeded || (i < results.Count && results[i].Succeeded);
                }
                else
                {
                    result = await target.Updater.UpdateAsync(updates, cancellationToken).ConfigureAwait(false);
                    Array.Fill(accepted, result.Succeeded);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // an updater that breaks its contract must not stop the engine
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result = DdnsUpdateResult.RetryLater(TimeSpan.Zero, $"{target.Provider} updater failed ({ex.GetType().Name})");
            }

            var answeredAt = engine._time.GetUtcNow();
            var verifications = Record(batch, accepted, result, now, answeredAt, cancellationToken);
            return (answeredAt, verifications);
        }

        private List<Task> Record(List<Pending> batch, bool[] accepted, DdnsUpdateResult result, DateTimeOffset sentAt, DateTimeOffset answeredAt, CancellationToken cancellationToken)
        {
            bool anyAccepted = false;
            for (int i = 0; i < batch.Count; i++)
            {
                if (!accepted[i])
                    continue;
                anyAccepted = true;
                engine._cache.Set(target.Id, batch[i].Name, batch[i].Family, new CacheEntry(batch[i].Address, answeredAt));
                lock (_gate)
                {
                    _drifted.Remove((batch[i].Name, batch[i].Family));
                    _confirmed.Add((batch[i].Name, batch[i].Family, batch[i].Address));
                }
            }

            if (anyAccepted && engine._cache.Save() is { } saveError)
                engine.Warn(saveError);

            // Published (or sent) records, per family.
            var verifications = new List<Task>();
            foreach (var group in batch.Where((_, i) => accepted[i]).GroupBy(p => p.Family))
            {
                var names = group.Select(p => p.Name).ToList();
                var first = group.First();
                bool refresh = group.All(p => p.Refresh);
                bool drift = group.Any(p => p.Drift);
                // A correction runs from the moment the difference was found, not from the address's old detection.
                var from = refresh || drift ? sentAt : group.Min(p => p.DetectedAt);
                bool unchanged = result.Outcome == DdnsOutcome.Unchanged;
                if (!unchanged && target.Verifier is { } verifier)
                {
                    verifications.Add(StartVerification(verifier, group.Key, names, first.Address, from, refresh, answeredAt, cancellationToken, drift));
                }
                else
                {
                    engine.Emit(new DdnsUpdated(answeredAt, target.Id, target.Provider, names, first.Address, Milliseconds(answeredAt - from), Verified: false)
                    {
                        Unchanged = unchanged,
                        Refresh = refresh,
                        Drift = drift,
                    });
                }
            }

            var failedNames = batch.Where((_, i) => !accepted[i]).Select(p => p.Name).Distinct(StringComparer.Ordinal).ToList();
            lock (_gate)
            {
                switch (result.Outcome)
                {
                    case DdnsOutcome.Updated or DdnsOutcome.Unchanged:
                        _backoff.Reset();
                        _retryAt = DateTimeOffset.MinValue;
                        break;
                    case DdnsOutcome.Fatal:
                        _fatal = true;
                        engine.Emit(new DdnsFailed(answeredAt, target.Id, target.Provider, failedNames, OneLine(result.Message), RetryIn: null, Fatal: true));
                        break;
                    default:
                        // A provider's Retry-After is advice, not a reason to go silent for years (or to overflow).
                        var delay = result.RetryAfter > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Min(result.RetryAfter.Ticks, MaxRetryAfter.Ticks)) : _backoff.Next();
                        _retryAt = answeredAt + delay;
                        engine.Emit(new DdnsFailed(answeredAt, target.Id, target.Provider, failedNames, OneLine(result.Message), delay, Fatal: false));
                        break;
                }
            }

            return verifications;
        }

        /// <summary>Starts polling the verifier in the background; the task ends (never faults) when it is done, superseded or stopped.</summary>
        private Task StartVerification(
            IDnsVerifier verifier, IpFamily family, List<string> names, IPAddress address, DateTimeOffset from, bool refresh, DateTimeOffset sentAt, CancellationToken cancellationToken, bool drift = false)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            lock (_gate)
            {
                if (_verifications.Remove(family, out var old))
                    old.Cancel();
                _verifications[family] = cts;
            }

            // Superseded by a newer send, or the engine stops: the loop's tracking ends it quietly.
            return Loop.Track(async () =>
            {
                try
                {
                    await VerifyAsync(verifier, names, address, from, refresh, sentAt, drift, cts.Token).ConfigureAwait(false);
                }
                finally
                {
                    lock (_gate)
                    {
                        if (_verifications.TryGetValue(family, out var current) && current == cts)
                            _verifications.Remove(family);
                    }

                    cts.Dispose();
                }
            });
        }

        private async Task VerifyAsync(
            IDnsVerifier verifier, List<string> names, IPAddress address, DateTimeOffset from, bool refresh, DateTimeOffset sentAt, bool drift, CancellationToken cancellationToken)
        {
            var remaining = new List<string>(names);
            var served = await Loop.VerifyUntilAsync(
                async ct =>
                {
                    foreach (var name in remaining.ToList())
                    {
                        if (await ServesAsync(verifier, name, address, ct).ConfigureAwait(false))
                            remaining.Remove(name);
                    }

                    return remaining.Count == 0;
                },
                engine._options.VerifyInterval,
                sentAt + engine._options.VerifyTimeout,
                cancellationToken).ConfigureAwait(false);
            var now = engine._time.GetUtcNow();
            if (served)
            {
                engine.Emit(new DdnsUpdated(now, target.Id, target.Provider, names, address, Milliseconds(now - from), Verified: true) { Refresh = refresh, Drift = drift });
                return;
            }

            engine.Emit(new DdnsFailed(
                now, target.Id, target.Provider, remaining,
                $"{target.Provider} accepted {address} but the authoritative server did not serve it within {DdnsText.Duration(engine._options.VerifyTimeout)}",
                RetryIn: null, Fatal: false));
        }

        private static async Task<bool> ServesAsync(IDnsVerifier verifier, string name, IPAddress address, CancellationToken cancellationToken) =>
            await CheckAsync(verifier, name, address, cancellationToken).ConfigureAwait(false) == DnsServing.Served;

        private static async Task<DnsServing> CheckAsync(IDnsVerifier verifier, string name, IPAddress address, CancellationToken cancellationToken)
        {
            try
            {
                return await verifier.CheckAsync(name, address, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // a failing verifier has told nothing
            catch (Exception)
#pragma warning restore CA1031
            {
                return DnsServing.Unknown;
            }
        }
    }
}
