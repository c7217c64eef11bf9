namespace Rebound.Act.Engine;

/// <summary>
/// Those waiting for an owner's work in flight to end (a graceful stop). The owner decides what "in flight" means and
/// calls both members under its own lock: <see cref="WhenQuietAsync"/> to wait, <see cref="Quiet"/> whenever the
/// last piece of work ended.
/// </summary>
public sealed class DrainSignal
{
    private readonly List<TaskCompletionSource> _waiters = [];

    /// <summary>Completes at once when <paramref name="quietNow"/>, else at the next <see cref="Quiet"/>.</summary>
    public Task WhenQuietAsync(bool quietNow, CancellationToken cancellationToken)
    {
        if (quietNow)
            return Task.CompletedTask;
        var quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add(quiet);
        return quiet.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Nothing is in flight now: releases every waiter.</summary>
    public void Quiet()
    {
        foreach (var waiter in _waiters)
            waiter.TrySetResult();
        _waiters.Clear();
    }
}
