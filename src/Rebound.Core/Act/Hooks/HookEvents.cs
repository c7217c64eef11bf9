using Rebound.Record;

namespace Rebound.Act.Hooks;

/// <summary>What the hook runner reports about itself (its kind: <see cref="EventCatalogue"/>).</summary>
public abstract record HookEvent(DateTimeOffset Time, int Hook, string Label) : ReboundEvent(Time);

/// <summary>
/// A hook did not succeed for one event (<paramref name="ForEvent"/>, its name): it exited non-zero (<paramref name="ExitCode"/>),
/// ran past its timeout and was killed with its children (<paramref name="TimedOut"/>), could not be started, or the webhook
/// answered with an error. <paramref name="Label"/> names the hook without secrets (<c>hook[1] (https://host/…)</c>).
/// </summary>
public sealed record HookFailed(DateTimeOffset Time, int Hook, string Label, string ForEvent, string Error, int? ExitCode, bool TimedOut, long DurationMs)
    : HookEvent(Time, Hook, Label);

/// <summary>A hook's queue was full (the hook is slower than the events): events were dropped for it. Said once per backlog.</summary>
public sealed record HookDropped(DateTimeOffset Time, int Hook, string Label, string ForEvent, long DroppedTotal)
    : HookEvent(Time, Hook, Label);
