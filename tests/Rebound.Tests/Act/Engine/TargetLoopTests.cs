using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Engine;

namespace Rebound.Tests.Act.Engine;

public sealed class TargetLoopTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task The_first_pass_runs_at_start_and_wake_ups_during_a_pass_become_one_more_pass()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var passes = 0;
        var loop = new TargetLoop(_time);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(async _ =>
        {
            if (Interlocked.Increment(ref passes) == 1)
                await gate.Task;
            return null;
        }, stop.Token);

        await UntilAsync(() => Volatile.Read(ref passes) == 1);
        Assert.False(loop.IsIdle);
        for (int i = 0; i < 5; i++)
            loop.Wake();
        gate.SetResult();
        await UntilAsync(() => loop.IsIdle);

        Assert.Equal(2, passes);
        await StopAsync(stop, run);
    }

    [Fact]
    public async Task A_pass_runs_again_when_the_time_it_asked_for_comes_and_not_before()
    {
        var times = new List<DateTimeOffset>();
        var loop = new TargetLoop(_time);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(_ =>
        {
            lock (times)
                times.Add(_time.GetUtcNow());
            return Task.FromResult<DateTimeOffset?>(_time.GetUtcNow() + TimeSpan.FromSeconds(10));
        }, stop.Token);
        await UntilAsync(() => loop.IsIdle);

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(loop.IsIdle);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(loop.IsIdle); // the timer is due: not idle even before the pass runs
        await UntilAsync(() => loop.IsIdle);

        lock (times)
            Assert.Equal([Start, Start.AddSeconds(10)], times);
        await StopAsync(stop, run);
    }

    [Fact]
    public async Task A_wait_inside_a_pass_counts_as_waiting_for_time_and_a_wake_up_then_waits_for_the_pass()
    {
        var passes = 0;
        var loop = new TargetLoop(_time);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(async ct =>
        {
            if (Interlocked.Increment(ref passes) == 2)
                await loop.DelayAsync(TimeSpan.FromSeconds(5), ct);
            return null;
        }, stop.Token);
        await UntilAsync(() => loop.IsIdle);

        loop.Wake();
        await UntilAsync(() => Volatile.Read(ref passes) == 2 && loop.IsIdle);
        loop.Wake(); // due after the pass that is waiting: nothing to do until time moves
        Assert.True(loop.IsIdle);
        Assert.True(loop.DrainAsync(Ct).IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(5));
        await UntilAsync(() => loop.IsIdle);
        Assert.Equal(3, passes);
        await StopAsync(stop, run);
    }

    [Fact]
    public async Task Drain_completes_when_the_pass_in_flight_ends_without_anyone_polling()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new TargetLoop(_time);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(async _ =>
        {
            await gate.Task;
            return null;
        }, stop.Token);

        var drained = loop.DrainAsync(Ct);
        await Task.Delay(20, Ct);
        Assert.False(drained.IsCompleted);
        gate.SetResult();
        await drained.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.True(loop.DrainAsync(Ct).IsCompleted);
        await StopAsync(stop, run);
    }

    [Fact]
    public async Task Tracked_work_holds_a_drain_while_it_works_but_not_while_it_waits_for_a_timer()
    {
        var loop = new TargetLoop(_time);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(_ => Task.FromResult<DateTimeOffset?>(null), stop.Token);
        await UntilAsync(() => loop.IsIdle);
        var working = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var checks = 0;

        var tracked = loop.Track(async () =>
        {
            await working.Task;
            Assert.False(await loop.VerifyUntilAsync(_ => ValueTask.FromResult(++checks < 0), TimeSpan.FromSeconds(2), _time.GetUtcNow() + TimeSpan.FromSeconds(5), stop.Token));
        });
        Assert.False(loop.IsIdle);
        var drained = loop.DrainAsync(Ct);
        Assert.False(drained.IsCompleted);
        working.SetResult();
        await drained.WaitAsync(TimeSpan.FromSeconds(10), Ct); // parked on its first 2 s wait
        await UntilAsync(() => loop.IsIdle);

        for (int i = 0; i < 3 && !tracked.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            await UntilAsync(() => loop.IsIdle || tracked.IsCompleted);
        }

        await tracked.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        // Checked at 0, 2 and 4 s, then once more after the last, shorter wait (due at the 5 s deadline).
        Assert.Equal(4, checks);
        Assert.Equal(Start.AddSeconds(6), _time.GetUtcNow());
        await StopAsync(stop, run);
    }

    [Fact]
    public async Task Stopping_ends_the_run_with_cancellation_and_leaves_it_quiet()
    {
        var loop = new TargetLoop(_time);
        using var stop = new CancellationTokenSource();
        var run = loop.RunAsync(_ => Task.FromResult<DateTimeOffset?>(_time.GetUtcNow() + TimeSpan.FromDays(400)), stop.Token);
        await UntilAsync(() => loop.IsIdle);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(loop.DrainAsync(Ct).IsCompleted);
    }

    [Fact]
    public void Backoff_doubles_up_to_its_cap_and_starts_again_after_a_success()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

        Assert.Equal([5, 10, 20, 30, 30], Enumerable.Range(0, 5).Select(_ => backoff.Next().TotalSeconds));
        backoff.Reset();
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Next());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)));
        var huge = new Backoff(TimeSpan.MaxValue / 3, TimeSpan.MaxValue);
        huge.Next();
        huge.Next();
        Assert.Equal(TimeSpan.MaxValue, huge.Next()); // capped, not overflowed
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException("condition not reached");
            await Task.Delay(1, Ct);
        }
    }
}
