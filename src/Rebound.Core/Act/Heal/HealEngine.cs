using System.Threading.Channels;
using Rebound.Act.Engine;
using Rebound.Record;

namespace Rebound.Act.Heal;

/// <summary>
/// Climbs each target's ladder when a trigger says it may be broken. Feed it with <see cref="OnTrigger"/>,
/// run <see cref="RunAsync"/>, read <see cref="Events"/>. Each target runs on its own <see cref="TargetLoop"/>.
/// <list type="bullet">
/// <item>A trigger the target wants is diagnosed; healthy or upstream-down targets are left alone
/// (<see cref="HealSkipped"/>, except for periodic checks). Otherwise each applicable rung runs in order and is
/// verified every <see cref="IHealTarget.VerifyInterval"/> until <see cref="IHealTarget.VerifyDeadline"/>;
/// the first verified rung ends the heal, an unverified one escalates.</item>
/// <item>An exhausted ladder is retried with a fresh diagnosis after an exponential backoff.</item>
/// <item>Restarts are limited per target per hour; the history survives a crash of the agent.</item>
/// <item>One heal per target at a time: triggers arriving meanwhile are coalesced (the latest wins) and
/// diagnosed afterwards. Targets heal concurrently.</item>
/// <item>On shutdown a running action gets <see cref="HealEngineOptions.ShutdownGrace"/> to finish; no new rung starts.</item>
/// </list>
/// </summary>
public sealed class HealEngine
{
    private readonly HealEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly RestartHistory _history;
    private readonly Channel<HealEvent> _events = Channel.CreateUnbounded<HealEvent>(new UnboundedChannelOptions { SingleReader = false });
    private readonly TargetHealer[] _targets;
    private readonly TargetLoop _checks;
    private readonly Lock _gate = new();
    private HealTrigger? _lastTrigger;
    private DateTimeOffset? _nextCheck;

    public HealEngine(IReadOnlyList<IHealTarget> targets, HealEngineOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _options = options;
        _time = time;
        if (targets.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != targets.Count)
            throw new ArgumentException("heal target names must be unique", nameof(targets));
        var loadWarnings = new List<string>();
        _history = RestartHistory.Load(options.StatePath, loadWarnings.Add);
        foreach (var warning in loadWarnings)
            Emit(new HealWarning(time.GetUtcNow(), "", warning));
        _targets = [.. targets.Select(t => new TargetHealer(this, t))];
        _checks = new TargetLoop(time);
    }

    /// <summary>
    /// Everything the engine does, in order per target: <see cref="HealStarted"/>, <see cref="HealStep"/>,
    /// <see cref="HealVerified"/>, <see cref="HealFailed"/>, <see cref="HealSkipped"/>, <see cref="HealWarning"/>.
    /// Unbounded; completed when <see cref="RunAsync"/> ends.
    /// </summary>
    public ChannelReader<HealEvent> Events => _events.Reader;

    /// <summary>Every target is waiting for time only: no trigger pending, no heal working, no retry or check due now. A test seam.</summary>
    public bool IsIdle => _checks.IsIdle && _targets.All(t => t.Loop.IsIdle);

    /// <summary>Hands a trigger to every target that wants it. Returns at once; a target already healing diagnoses it afterwards.</summary>
    public void OnTrigger(HealTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        lock (_gate)
            _lastTrigger = trigger;
        Dispatch(trigger);
    }

    /// <summary>Runs every target and the periodic check until <paramref name="cancellationToken"/> is cancelled; then returns (does not throw).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var loops = _targets.Select(t => Task.Run(() => t.RunAsync(cancellationToken), CancellationToken.None)).ToList();
            loops.Add(Task.Run(() => _checks.RunAsync(CheckAsync, cancellationToken), CancellationToken.None));
            await Task.WhenAll(loops).ConfigureAwait(false);
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

    /// <summary>The periodic check's pass: every <see cref="HealEngineOptions.CheckInterval"/> from the start, a trigger for every target.</summary>
    private Task<DateTimeOffset?> CheckAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_nextCheck is { } due && now >= due)
        {
            Dispatch(PeriodicTrigger(now));
            _nextCheck = null;
        }

        _nextCheck ??= now + _options.CheckInterval;
        return Task.FromResult<DateTimeOffset?>(_nextCheck);
    }

    private HealTrigger PeriodicTrigger(DateTimeOffset now)
    {
        if (_options.PeriodicTrigger is { } build)
            return build(now);
        lock (_gate)
        {
            return _lastTrigger is { } last
                ? last with { DetectedAt = now, Reason = HealReason.Periodic, Event = null, PreviousLocalNetwork = last.LocalNetwork }
                : new HealTrigger(now, HealReason.Periodic, null, null, null, UpstreamUp: true, null, null);
        }
    }

    private void Dispatch(HealTrigger trigger)
    {
        foreach (var target in _targets)
            target.Offer(trigger);
    }

    private void Emit(HealEvent e) => _events.Writer.TryWrite(e);

    private static long Milliseconds(TimeSpan elapsed) => (long)Math.Max(0, elapsed.TotalMilliseconds);

    /// <summary>One line, bounded, for messages that came from an action or a target.</summary>
    private static string OneLine(string? message)
    {
        var text = string.Join(' ', (message ?? "").Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return text.Length <= 300 ? text : text[..297] + "...";
    }

    /// <summary>One target's heal policy on its <see cref="TargetLoop"/>: which trigger to diagnose, the ladder, the backoff.</summary>
    private sealed class TargetHealer(HealEngine engine, IHealTarget target)
    {
        private readonly Lock _gate = new();
        private readonly Backoff _backoff = new(engine._options.RetryBackoffMin, engine._options.RetryBackoffMax);
        private HealTrigger? _pending;
        private DateTimeOffset? _retryAt;
        private HealTrigger? _retryTrigger;
        private bool _exhaustedAnnounced;

        public TargetLoop Loop { get; } = new(engine._time);

        public Task RunAsync(CancellationToken cancellationToken) => Loop.RunAsync(PassAsync, cancellationToken);

        public void Offer(HealTrigger trigger)
        {
            bool wanted;
            try
            {
                wanted = target.Wants(trigger);
            }
#pragma warning disable CA1031 // a target that breaks its contract must not stop the others
            catch (Exception)
#pragma warning restore CA1031
            {
                wanted = false;
            }

            if (!wanted)
                return;
            lock (_gate)
            {
                // A periodic check neither replaces a real event waiting its turn nor cuts a retry backoff short.
                if (trigger.Reason == HealReason.Periodic && (_pending is not null || _retryAt is not null))
                    return;
                _pending = trigger;
            }

            Loop.Wake();
        }

        /// <summary>Heals after the pending trigger, else after a retry that is due; returns when the next retry is due.</summary>
        private async Task<DateTimeOffset?> PassAsync(CancellationToken cancellationToken)
        {
            HealTrigger? trigger = null;
            lock (_gate)
            {
                if (_pending is { } pending)
                {
                    trigger = pending;
                    _pending = null;
                }
                else if (_retryAt is { } at && at <= engine._time.GetUtcNow() && _retryTrigger is { } failed)
                {
                    trigger = failed with { Reason = HealReason.Retry, Event = null };
                    _retryAt = null;
                }

                if (trigger is null)
                    return _retryAt;
            }

            await HealAsync(trigger, cancellationToken).ConfigureAwait(false);
            lock (_gate)
                return _retryAt;
        }

        private async Task HealAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var time = engine._time;
            HealDiagnosis diagnosis;
            try
            {
                diagnosis = await target.DiagnoseAsync(trigger, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // a target that cannot diagnose itself is retried, not fatal
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(trigger, $"diagnosis failed: {Describe(ex)}", restartsExhausted: false);
                return;
            }

            if (!diagnosis.NeedsHealing)
            {
                if (trigger.Reason != HealReason.Periodic)
                    engine.Emit(new HealSkipped(time.GetUtcNow(), target.Name, trigger.Reason, diagnosis));
                lock (_gate)
                {
                    // Healthy: the episode is over. Upstream down: nothing to do until the next event or check.
                    _retryAt = null;
                    _retryTrigger = null;
                    if (diagnosis.Condition == HealCondition.Healthy)
                        _backoff.Reset();
                }

                return;
            }

            engine.Emit(new HealStarted(time.GetUtcNow(), target.Name, trigger.Reason, diagnosis));
            bool restartSkipped = false;
            bool anyApplied = false;
            foreach (var action in target.Ladder)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    // Between rungs: the heal in progress ends here, no new rung starts.
                    engine.Emit(new HealStep(time.GetUtcNow(), target.Name, action.Kind, HealStepResult.Interrupted, 0, "agent stopping; rung not started"));
                    cancellationToken.ThrowIfCancellationRequested();
                }

                bool applies;
                try
                {
                    applies = action.AppliesTo(diagnosis);
                }
#pragma warning disable CA1031 // a broken rung is skipped, not fatal
                catch (Exception)
#pragma warning restore CA1031
                {
                    applies = false;
                }

                if (!applies)
                    continue;
                anyApplied = true;

                if (action.IsRestart)
                {
                    var now = time.GetUtcNow();
                    if (!engine._history.TryTake(target.Name, now, engine._options.MaxRestartsPerHour, out var saveError))
                    {
                        restartSkipped = true;
                        var free = engine._history.FreeAt(target.Name, now);
                        var detail = $"restart budget spent: {engine._options.MaxRestartsPerHour} restart(s) per hour"
                            + (free is { } f ? $", next allowed in {Math.Ceiling((f - now).TotalSeconds):0} s" : "");
                        engine.Emit(new HealStep(now, target.Name, action.Kind, HealStepResult.Skipped, 0, detail));
                        continue;
                    }

                    lock (_gate)
                        _exhaustedAnnounced = false;
                    if (saveError is not null)
                        engine.Emit(new HealWarning(now, target.Name, saveError));
                }

                if (!await RunRungAsync(action, trigger, cancellationToken).ConfigureAwait(false))
                    continue;
                if (await VerifyAsync(action, trigger, cancellationToken).ConfigureAwait(false))
                {
                    lock (_gate)
                    {
                        _backoff.Reset();
                        _retryAt = null;
                        _retryTrigger = null;
                    }

                    return;
                }
            }

            string error;
            if (!anyApplied)
                error = $"no remedy applies to {diagnosis.Condition.ToName()}";
            else if (restartSkipped)
                error = $"no rung verified and the restart budget ({engine._options.MaxRestartsPerHour} per hour) is spent";
            else
                error = "no rung verified";
            bool loud;
            lock (_gate)
            {
                loud = restartSkipped && !_exhaustedAnnounced;
                if (restartSkipped)
                    _exhaustedAnnounced = true;
            }

            Fail(trigger, error, loud);
        }

        /// <summary>Runs one action. False when it failed (reported); throws when the agent stops.</summary>
        private async Task<bool> RunRungAsync(IHealAction action, HealTrigger trigger, CancellationToken cancellationToken)
        {
            var time = engine._time;
            var started = time.GetTimestamp();
            // The action is not cancelled with the agent: it gets the grace to finish, then it is abandoned.
            // Abandoning cancels the action's token first, so what it registered there (killing a child process)
            // runs before the engine moves on and the agent may exit.
            using var actionStop = new CancellationTokenSource();
            using var abandoned = new CancellationTokenSource();
            using var graceStart = cancellationToken.Register(() =>
            {
                try
                {
                    _ = Task.Delay(engine._options.ShutdownGrace, time, CancellationToken.None)
                        .ContinueWith(_ =>
                        {
                            CancelQuietly(actionStop);
                            CancelQuietly(abandoned);
                        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
                catch (ObjectDisposedException)
                {
                    // The action ended first.
                }
            }, useSynchronizationContext: false);
            string detail;
            HealStepResult result;
            try
            {
                var run = action.RunAsync(trigger, actionStop.Token).AsTask();
                detail = OneLine(await run.WaitAsync(abandoned.Token).ConfigureAwait(false));
                result = HealStepResult.Done;
            }
            catch (OperationCanceledException) when (actionStop.IsCancellationRequested)
            {
                engine.Emit(new HealStep(time.GetUtcNow(), target.Name, action.Kind, HealStepResult.Interrupted,
                    Milliseconds(time.GetElapsedTime(started)), $"agent stopping; action abandoned after {ConfigurationText(engine._options.ShutdownGrace)}"));
                throw new OperationCanceledException(cancellationToken);
            }
            catch (HealActionException ex)
            {
                detail = OneLine(ex.Message);
                result = HealStepResult.Failed;
            }
            catch (HealActionNotApplicableException ex)
            {
                detail = OneLine(ex.Message);
                result = HealStepResult.NotApplicable;
            }
#pragma warning disable CA1031 // an action that breaks its contract is a failed rung, not a dead engine
            catch (Exception ex)
#pragma warning restore CA1031
            {
                detail = Describe(ex);
                result = HealStepResult.Failed;
            }

            engine.Emit(new HealStep(time.GetUtcNow(), target.Name, action.Kind, result, Milliseconds(time.GetElapsedTime(started)), detail));
            if (cancellationToken.IsCancellationRequested)
            {
                engine.Emit(new HealStep(time.GetUtcNow(), target.Name, action.Kind, HealStepResult.Interrupted, 0, "agent stopping; not verified"));
                throw new OperationCanceledException(cancellationToken);
            }

            return result == HealStepResult.Done;
        }

        private static void CancelQuietly(CancellationTokenSource cts)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The action ended first.
            }
        }

        /// <summary>Polls the target until it works or the deadline passes; emits the verified/unverified step.</summary>
        private async Task<bool> VerifyAsync(IHealAction action, HealTrigger trigger, CancellationToken cancellationToken)
        {
            var time = engine._time;
            var started = time.GetTimestamp();
            string evidence = "not checked";
            var nextRung = false;
            try
            {
                var works = await Loop.VerifyUntilAsync(
                    async ct =>
                    {
                        HealCheck check;
                        try
                        {
                            check = await target.VerifyAsync(trigger, ct).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (ct.IsCancellationRequested)
                        {
                            throw;
                        }
#pragma warning disable CA1031 // a failing check means "not working yet"
                        catch (Exception ex)
#pragma warning restore CA1031
                        {
                            check = new HealCheck(false, $"check failed: {Describe(ex)}");
                        }

                        evidence = OneLine(check.Evidence);
                        nextRung = !check.Ok && check.NextRung;
                        return check.Ok || nextRung;
                    },
                    target.VerifyInterval,
                    time.GetUtcNow() + target.VerifyDeadline,
                    cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                works &= !nextRung;
                if (works)
                {
                    engine.Emit(new HealStep(now, target.Name, action.Kind, HealStepResult.Verified, Milliseconds(time.GetElapsedTime(started)), evidence));
                    engine.Emit(new HealVerified(now, target.Name, action.Kind, Milliseconds(now - trigger.DetectedAt), evidence));
                }
                else
                {
                    engine.Emit(new HealStep(now, target.Name, action.Kind, HealStepResult.Unverified, Milliseconds(time.GetElapsedTime(started)),
                        nextRung ? $"escalating at once, the rest is for the next rung: {evidence}" : $"not working after {ConfigurationText(target.VerifyDeadline)}: {evidence}"));
                }

                return works;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                engine.Emit(new HealStep(time.GetUtcNow(), target.Name, action.Kind, HealStepResult.Interrupted, Milliseconds(time.GetElapsedTime(started)),
                    $"agent stopping while verifying; last check: {evidence}"));
                throw;
            }
        }

        private void Fail(HealTrigger trigger, string error, bool restartsExhausted)
        {
            TimeSpan retryIn;
            var now = engine._time.GetUtcNow();
            lock (_gate)
            {
                retryIn = _backoff.Next();
                _retryAt = now + retryIn;
                _retryTrigger = trigger;
            }

            engine.Emit(new HealFailed(now, target.Name, error, restartsExhausted, retryIn));
        }

        private static string Describe(Exception ex) =>
            ex is HealActionException or HealActionNotApplicableException ? OneLine(ex.Message) : $"{ex.GetType().Name} (not a HealActionException)";

        private static string ConfigurationText(TimeSpan value) => Configuration.ConfigDuration.Format(value);
    }
}
