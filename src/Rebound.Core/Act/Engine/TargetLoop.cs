namespace Rebound.Act.Engine;

/// <summary>
/// The loop every engine runs per target (heal: a ladder; DDNS: a record set). It runs the target's pass (given to
/// <see cref="RunAsync"/>) when
/// <see cref="Wake"/> is called — wake-ups during a pass coalesce into one more pass after it — or when the time the
/// last pass asked for comes; one pass at a time. The engine keeps its policy (what to do, backoff, caches) in the
/// pass; the loop keeps the mechanics, all on <see cref="TimeProvider"/>:
/// <list type="bullet">
/// <item><see cref="DelayAsync"/> and <see cref="VerifyUntilAsync"/>: waits inside a pass or a tracked task.</item>
/// <item><see cref="Track"/>: work that outlives the pass (a DNS verification in the background).</item>
/// <item><see cref="DrainAsync"/>: completes when nothing is in flight, so a stop can let work finish first.</item>
/// <item><see cref="IsIdle"/>: only waiting for time, so tests on a fake clock know when to move it.</item>
/// </list>
/// </summary>
public sealed class TargetLoop
{
    /// <summary>Task.Delay takes at most ~49 days; a longer wait is taken in steps and re-planned.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    // The deadlines of the timers being waited for: the loop's own between passes, and those of DelayAsync.
    private readonly List<DateTimeOffset> _timers = [];
    private readonly DrainSignal _drained = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // A pass is due (the first one at start). Only counts while no pass runs: a pass in flight takes it afterwards.
    private bool _woken = true;
    private bool _inPass;

    // The pass and tracked tasks that are working now, not waiting for a timer.
    private int _working;

    /// <param name="time">Every timer of the loop and of its passes.</param>
    public TargetLoop(TimeProvider time) => _time = time ?? throw new ArgumentNullException(nameof(time));

    /// <summary>
    /// Waiting for time only: no pass or tracked task working, no pass due, and no timer past its deadline
    /// (fake time moved past one wakes work the moment it lands, before its continuation runs). A test seam.
    /// </summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                return IsQuiet() && _timers.TrueForAll(t => t > now);
            }
        }
    }

    /// <summary>Asks for a pass now, or after the one running. Returns at once.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            _woken = true;
            _wake.TrySetResult();
        }
    }

    /// <summary>Runs passes until <paramref name="cancellationToken"/> is cancelled; then throws <see cref="OperationCanceledException"/>.</summary>
    /// <param name="pass">Does what is due; returns when to run again without a wake-up (null: only when woken).</param>
    public async Task RunAsync(Func<CancellationToken, Task<DateTimeOffset?>> pass, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        lock (_gate)
        {
            _inPass = true;
            _working++;
        }

        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Task wake;
                lock (_gate)
                {
                    _woken = false;
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wake = _wake.Task;
                }

                var next = await pass(cancellationToken).ConfigureAwait(false);

                // The timer is armed before the loop says it waits, so (fake) time moved meanwhile is measured by it.
                using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task waitFor = wake;
                DateTimeOffset? until = null;
                if (next is { } due)
                {
                    var now = _time.GetUtcNow();
                    var delay = due - now;
                    if (delay <= TimeSpan.Zero)
                        continue;
                    if (delay > MaxWait)
                        delay = MaxWait;
                    waitFor = Task.WhenAny(wake, Task.Delay(delay, _time, stopTimer.Token));
                    until = now + delay;
                }

                lock (_gate)
                {
                    _inPass = false;
                    _working--;
                    if (until is { } deadline)
                        _timers.Add(deadline);
                    SignalIfQuiet();
                }

                try
                {
                    await waitFor.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    lock (_gate)
                    {
                        if (until is { } deadline)
                            _timers.Remove(deadline);
                        _inPass = true;
                        _working++;
                    }
                }

                await stopTimer.CancelAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                _inPass = false;
                _working--;
                SignalIfQuiet();
            }
        }
    }

    /// <summary>Waits, inside a pass or a tracked task; the wait counts as waiting for time.</summary>
    public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + delay;
        var timer = Task.Delay(delay, _time, cancellationToken);
        lock (_gate)
        {
            _working--;
            _timers.Add(until);
            SignalIfQuiet();
        }

        try
        {
            await timer.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _timers.Remove(until);
                _working++;
            }
        }
    }

    /// <summary>
    /// Asks <paramref name="check"/> every <paramref name="interval"/> until it says yes (true) or
    /// <paramref name="deadline"/> passes (false); asked at least once.
    /// </summary>
    public async Task<bool> VerifyUntilAsync(Func<CancellationToken, ValueTask<bool>> check, TimeSpan interval, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        while (true)
        {
            if (await check(cancellationToken).ConfigureAwait(false))
                return true;
            var now = _time.GetUtcNow();
            if (now >= deadline)
                return false;
            await DelayAsync(deadline - now < interval ? deadline - now : interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> beside the passes; it counts as in flight (for <see cref="DrainAsync"/> and
    /// <see cref="IsIdle"/>) from this call until it ends. The returned task never faults for an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public Task Track(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate)
            _working++;
        return Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Superseded or stopping: the work's owner decided so.
            }
            finally
            {
                lock (_gate)
                {
                    _working--;
                    SignalIfQuiet();
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Completes once nothing is in flight: no pass working or due, no tracked task working (waits for a timer do
    /// not count). A stop calls this, bounded by its grace, then cancels <see cref="RunAsync"/>.
    /// </summary>
    public Task DrainAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return _drained.WhenQuietAsync(IsQuiet(), cancellationToken);
    }

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private bool IsQuiet() => _working == 0 && !(_woken && !_inPass);

    /// <summary>Caller holds <see cref="_gate"/>.</summary>
    private void SignalIfQuiet()
    {
        if (IsQuiet())
            _drained.Quiet();
    }
}
