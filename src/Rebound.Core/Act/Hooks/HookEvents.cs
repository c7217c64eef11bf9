namespace Rebound.Act.Hooks;

/// <summary>What the hook runner reports about itself. <see cref="Name"/> is the JSON event name.</summary>
public abstract record HookEvent(DateTimeOffset Time, int Hook, string Label)
{
    public abstract string Name { get; }
}

/// <summary>
/// A hook did not succeed for one event: it exited non-zero (<paramref name="ExitCode"/>), ran past its timeout
/// and was killed with its children (<paramref name="TimedOut"/>), could not be started, or the webhook answered
/// with an error. <paramref name="Label"/> names the hook without secrets (<c>hook[1] (https://host/path)</c>).
/// </summary>
public sealed record HookFailed(DateTimeOffset Time, int Hook, string Label, string EventKind, string Error, int? ExitCode, bool TimedOut, long DurationMs)
    : HookEvent(Time, Hook, Label)
{
    public override string Name => "hook-failed";
}

/// <summary>A hook's queue was full (the hook is slower than the events): events were dropped for it. Said once per backlog.</summary>
public sealed record HookDropped(DateTimeOffset Time, int Hook, string Label, string EventKind, long DroppedTotal)
    : HookEvent(Time, Hook, Label)
{
    public override string Name => "hook-dropped";
}
