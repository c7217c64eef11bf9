using System.Net;
using Rebound.Sense.Sources;

namespace Rebound.Decide;

/// <summary>
/// The WAN state of one address family, moved only by confirmed evidence. Pure: no I/O, no clock;
/// the caller passes each round's observations and the time to stamp events with.
/// Gateway hints (NAT-PMP, UPnP) never decide: they only corroborate what a public source reports.
/// </summary>
public sealed class WanFamilyTracker
{
    private readonly WanWatcherOptions _options;
    private readonly Dictionary<AddressSourceKind, int> _kindFailures = [];
    private readonly Dictionary<AddressSourceKind, string> _kindErrors = [];
    private readonly HashSet<IPAddress> _episodeSeen = [];
    private HashSet<AddressSourceKind> _degraded = [];
    private List<ProbeObservation> _earlier = [];
    private IPAddress? _candidate;
    private int _candidateRounds;
    private int _failedRounds;
    private string _episodeTrigger = "";
    private DateTimeOffset? _lastSteady;

    public WanFamilyTracker(IpFamily family, WanWatcherOptions options)
    {
        Family = family;
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    public IpFamily Family { get; }

    public WanStatus Status { get; private set; }

    /// <summary>The last confirmed public address; kept while the upstream is lost; null while the answers are ambiguous.</summary>
    public IPAddress? Current { get; private set; }

    /// <summary>
    /// True after every source stopped reporting the old address without agreeing on a new one (a carrier NAT
    /// that pools arbitrarily shows each server another address); <see cref="AmbiguousSeen"/> holds what they saw.
    /// </summary>
    public bool Ambiguous { get; private set; }

    public IReadOnlyCollection<IPAddress> AmbiguousSeen => Ambiguous ? _episodeSeen : [];

    /// <summary>True while evidence points to a change that is not yet confirmed: the watcher should probe again soon.</summary>
    public bool NeedsConfirmation { get; private set; }

    /// <summary>A kind of source that has failed <see cref="WanWatcherOptions.LossRounds"/> rounds in a row while another kind answered.</summary>
    public bool IsFailing(AddressSourceKind kind) => _kindFailures.GetValueOrDefault(kind) >= _options.LossRounds;

    /// <summary>True when <paramref name="address"/> is what this family's state already expects (no cross-check needed).</summary>
    public bool IsSteady(IPAddress address) =>
        Status == WanStatus.Up && (address.Equals(Current) || (Ambiguous && _episodeSeen.Contains(address)));

    /// <summary>
    /// Applies one round. Returns the events it confirmed (none while <paramref name="announce"/> is false).
    /// <paramref name="earlier"/>: for a cross-check, the answers of the same round that set it off. Unless the
    /// cross-check alone sees the current address, they vote with it (so one liar asked first or among the
    /// cross-check is outvoted rather than splitting the vote), and the claims they outvoted join the evidence.
    /// </summary>
    public IReadOnlyList<WanEvent> Apply(
        IReadOnlyList<ProbeObservation> round, string trigger, DateTimeOffset now, bool announce = true, IReadOnlyList<ProbeObservation>? earlier = null)
    {
        ArgumentNullException.ThrowIfNull(round);
        // A question that never left this host (out of descriptors) is no evidence either way: a round of only
        // those changes nothing, so a local user exhausting descriptors cannot fake an outage.
        var decisive = round.Where(o => !o.Kind.IsGatewayHint() && !o.LocalFailure).ToList();
        if (decisive.Count == 0)
        {
            return [];
        }

        _earlier = earlier?.Where(e => !round.Any(o => o.Server == e.Server)).ToList() ?? [];
        var events = ApplyCore(round, decisive, trigger, now);
        if (!announce)
        {
            return [];
        }

        if (decisive.Any(o => o.Address is not null) && KindHealthEvent(decisive, now) is { } health)
        {
            events.Add(health);
        }

        return events;
    }

    private List<WanEvent> ApplyCore(IReadOnlyList<ProbeObservation> round, List<ProbeObservation> decisive, string trigger, DateTimeOffset now)
    {
        var answered = decisive.Where(o => o.Address is not null).DistinctBy(o => o.Server, StringComparer.Ordinal).ToList();
        if (answered.Count == 0)
        {
            ResetCandidate();
            if (_failedRounds++ == 0)
            {
                _episodeTrigger = trigger;
            }

            NeedsConfirmation = Status != WanStatus.Lost;
            if (Status == WanStatus.Lost || _failedRounds < _options.LossRounds)
            {
                return [];
            }

            Status = WanStatus.Lost;
            NeedsConfirmation = false;
            return [new UpstreamLost(now, Family, Current, new WanEvidence(_episodeTrigger, _failedRounds, round) { LastSteady = _lastSteady })];
        }

        _failedRounds = 0;
        if (Ambiguous && Status == WanStatus.Up && answered.All(o => _episodeSeen.Contains(o.Address!)))
        {
            // Still the same pool of addresses: nothing new.
            _lastSteady = now;
            ResetCandidate();
            NeedsConfirmation = false;
            return [];
        }

        var (majority, votes) = ProbeConsensus.StrictMajority(answered);
        var hints = round.Where(o => o.Kind.IsGatewayHint()).ToList();
        if (!(Status == WanStatus.Up && majority is not null && majority.Equals(Current)) && _earlier.Count > 0)
        {
            answered = [.. answered, .. _earlier.Where(o => !o.Kind.IsGatewayHint() && o.Address is not null)];
            hints.AddRange(_earlier.Where(o => o.Kind.IsGatewayHint()));
            (majority, votes) = ProbeConsensus.StrictMajority(answered);
        }

        if (majority is null)
        {
            var oldGone = Status != WanStatus.Unknown && (Current is null || !answered.Any(o => o.Address!.Equals(Current)));
            if (!oldGone)
            {
                // Servers disagree, one of them still on the old address: believe nothing, look again.
                ResetCandidate();
                NeedsConfirmation = true;
                return [];
            }

            return AmbiguousChange(round, answered, trigger, now);
        }

        if (Status == WanStatus.Up && majority.Equals(Current))
        {
            _lastSteady = now;
            _episodeSeen.Clear();
            ResetCandidate();
            NeedsConfirmation = false;
            return [];
        }

        if (!Ambiguous)
        {
            foreach (var o in answered)
            {
                _episodeSeen.Add(o.Address!); // all an ambiguous change would name
            }
        }

        if (majority.Equals(_candidate))
        {
            _candidateRounds++;
        }
        else
        {
            _candidate = majority;
            _candidateRounds = 1;
            _episodeTrigger = trigger;
        }

        // The gateway's view may corroborate (it is the same address without a carrier NAT), never decide.
        votes += hints.Count(o => majority.Equals(o.Address));
        if (votes < _options.ConfirmServers && _candidateRounds < _options.ConfirmRounds)
        {
            NeedsConfirmation = true;
            return [];
        }

        var evidence = new WanEvidence(_episodeTrigger, _candidateRounds, WithOutvoted(round, majority)) { LastSteady = _lastSteady };
        var events = new List<WanEvent>(2);
        if (Status == WanStatus.Lost)
        {
            events.Add(new UpstreamRestored(now, Family, majority, evidence));
        }

        if (!majority.Equals(Current) || Ambiguous)
        {
            events.Add(new PublicAddressChanged(now, Family, Ambiguous ? LastUnambiguous : Current, majority, evidence));
        }

        Status = WanStatus.Up;
        Current = majority;
        LastUnambiguous = majority;
        Ambiguous = false;
        _episodeSeen.Clear();
        _lastSteady = now;
        ResetCandidate();
        NeedsConfirmation = false;
        return events;
    }

    /// <summary>The last address that was not ambiguous (the "old" of the change that ends an ambiguity).</summary>
    public IPAddress? LastUnambiguous { get; private set; }

    /// <summary>No source reports the old address any more, but they disagree: news for heal targets, not for DNS.</summary>
    private List<WanEvent> AmbiguousChange(IReadOnlyList<ProbeObservation> round, List<ProbeObservation> answered, string trigger, DateTimeOffset now)
    {
        if (Ambiguous && Status == WanStatus.Up)
        {
            // Already reported as ambiguous: another pooled address is no news.
            foreach (var o in answered)
            {
                _episodeSeen.Add(o.Address!);
            }

            _lastSteady = now;
            NeedsConfirmation = false;
            return [];
        }

        if (_candidate is null && _candidateRounds == 0)
        {
            _episodeTrigger = trigger;
        }

        _candidate = null;
        _candidateRounds++;
        foreach (var o in answered)
        {
            _episodeSeen.Add(o.Address!);
        }

        if (answered.Count < _options.ConfirmServers && _candidateRounds < _options.ConfirmRounds)
        {
            NeedsConfirmation = true;
            return [];
        }

        var top = answered.GroupBy(o => o.Address!).OrderByDescending(g => g.Count()).First().Key;
        var evidence = new WanEvidence(_episodeTrigger, _candidateRounds, WithOutvoted(round, top)) { LastSteady = _lastSteady };
        var events = new List<WanEvent>(2);
        if (Status == WanStatus.Lost)
        {
            events.Add(new UpstreamRestored(now, Family, top, evidence));
        }

        events.Add(new PublicAddressChanged(now, Family, Ambiguous ? LastUnambiguous : Current, top, evidence)
        {
            Ambiguous = true,
            Seen = [.. _episodeSeen.OrderBy(a => a.ToString(), StringComparer.Ordinal)],
        });
        Status = WanStatus.Up;
        Current = null;
        Ambiguous = true;
        _lastSteady = now;
        _candidateRounds = 0;
        NeedsConfirmation = false;
        return events;
    }

    /// <summary>Tracks which kinds answer; says once when a kind stops while another works, and once when all work again.</summary>
    private WanEvent? KindHealthEvent(List<ProbeObservation> decisive, DateTimeOffset now)
    {
        foreach (var group in decisive.GroupBy(o => o.Kind))
        {
            if (group.Any(o => o.Address is not null))
            {
                _kindFailures[group.Key] = 0;
            }
            else
            {
                _kindFailures[group.Key] = _kindFailures.GetValueOrDefault(group.Key) + 1;
                _kindErrors[group.Key] = string.Join("; ", group.Select(o => $"{o.Server}: {o.Error}"));
            }
        }

        var failing = _kindFailures.Where(k => k.Value >= _options.LossRounds).Select(k => k.Key).ToHashSet();
        if (failing.SetEquals(_degraded))
        {
            return null;
        }

        var recovered = _degraded.Except(failing).Order().ToList();
        _degraded = failing;
        var working = _kindFailures.Keys.Where(k => !failing.Contains(k)).Order().ToList();
        return failing.Count > 0
            ? new SourcesDegraded(now, Family, working, [.. failing.Order().Select(k => new FailingSourceKind(k, _kindErrors.GetValueOrDefault(k, "")))])
            : new SourcesRecovered(now, Family, recovered);
    }

    /// <summary>The deciding round's answers, then the claims of the same round's earlier answers that differ from <paramref name="decided"/>.</summary>
    private IReadOnlyList<ProbeObservation> WithOutvoted(IReadOnlyList<ProbeObservation> round, IPAddress decided) =>
        [.. round, .. _earlier.Where(o => o.Address is not null && !o.Address.Equals(decided))];

    private void ResetCandidate()
    {
        _candidate = null;
        _candidateRounds = 0;
    }
}
