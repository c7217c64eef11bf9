using System.Net;

namespace Rebound.Decide;

/// <summary>
/// The WAN state of one address family, moved only by confirmed evidence. Pure: no I/O, no clock;
/// the caller passes each round's observations and the time to stamp events with.
/// </summary>
public sealed class WanFamilyTracker
{
    private readonly WanWatcherOptions _options;
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

    /// <summary>The last confirmed public address; kept while the upstream is lost.</summary>
    public IPAddress? Current { get; private set; }

    /// <summary>True while evidence points to a change that is not yet confirmed: the watcher should probe again soon.</summary>
    public bool NeedsConfirmation { get; private set; }

    /// <summary>Applies one round. Returns the events it confirmed (none while <paramref name="announce"/> is false).</summary>
    public IReadOnlyList<WanEvent> Apply(IReadOnlyList<ProbeObservation> round, string trigger, DateTimeOffset now, bool announce = true)
    {
        ArgumentNullException.ThrowIfNull(round);
        if (round.Count == 0)
        {
            return [];
        }

        var events = ApplyCore(round, trigger, now);
        return announce ? events : [];
    }

    private List<WanEvent> ApplyCore(IReadOnlyList<ProbeObservation> round, string trigger, DateTimeOffset now)
    {
        var answered = round.Where(o => o.Address is not null).DistinctBy(o => o.Server, StringComparer.Ordinal).ToList();
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
        var (majority, votes) = ProbeConsensus.StrictMajority(answered);
        if (majority is null)
        {
            // Servers disagree and none has a majority: believe nothing, look again.
            ResetCandidate();
            NeedsConfirmation = true;
            return [];
        }

        if (Status == WanStatus.Up && majority.Equals(Current))
        {
            _lastSteady = now;
            ResetCandidate();
            NeedsConfirmation = false;
            return [];
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

        if (votes < _options.ConfirmServers && _candidateRounds < _options.ConfirmRounds)
        {
            NeedsConfirmation = true;
            return [];
        }

        var evidence = new WanEvidence(_episodeTrigger, _candidateRounds, round) { LastSteady = _lastSteady };
        var events = new List<WanEvent>(2);
        if (Status == WanStatus.Lost)
        {
            events.Add(new UpstreamRestored(now, Family, majority, evidence));
        }

        if (!majority.Equals(Current))
        {
            events.Add(new PublicAddressChanged(now, Family, Current, majority, evidence));
        }

        Status = WanStatus.Up;
        Current = majority;
        _lastSteady = now;
        ResetCandidate();
        NeedsConfirmation = false;
        return events;
    }

    private void ResetCandidate()
    {
        _candidate = null;
        _candidateRounds = 0;
    }
}
