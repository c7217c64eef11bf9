using Rebound.Record;

namespace Rebound.Act.Heal;

/// <summary>Something the heal engine did, for <c>rebound run --json</c>, the journal, metrics and hooks (its kind: <see cref="EventCatalogue"/>).</summary>
public abstract record HealEvent(DateTimeOffset Time, string Target) : ReboundEvent(Time);

/// <summary>A target needs healing. <paramref name="Reason"/> is why it was looked at; the diagnosis and its evidence say why it needs it.</summary>
public sealed record HealStarted(DateTimeOffset Time, string Target, HealReason Reason, HealDiagnosis Diagnosis) : HealEvent(Time, Target);

/// <summary>One rung of the ladder and what became of it.</summary>
public sealed record HealStep(DateTimeOffset Time, string Target, HealActionKind Action, HealStepResult Result, long DurationMs, string Detail) : HealEvent(Time, Target);

/// <summary>The target works again. <paramref name="ElapsedMs"/> runs from the detecting event.</summary>
public sealed record HealVerified(DateTimeOffset Time, string Target, HealActionKind Action, long ElapsedMs, string Evidence) : HealEvent(Time, Target);

/// <summary>
/// Every applicable rung was tried and none verified, or the restart budget is spent
/// (<paramref name="RestartsExhausted"/>: said loudly, the engine will not restart again this hour).
/// <paramref name="RetryIn"/>: when the engine tries again on its own (null: on the next event only).
/// </summary>
public sealed record HealFailed(DateTimeOffset Time, string Target, string Error, bool RestartsExhausted, TimeSpan? RetryIn) : HealEvent(Time, Target);

/// <summary>A target was diagnosed and needs nothing (or the upstream is down, so there is nothing to do yet).</summary>
public sealed record HealSkipped(DateTimeOffset Time, string Target, HealReason Reason, HealDiagnosis Diagnosis) : HealEvent(Time, Target);

/// <summary>Something the engine could not do that does not stop it (e.g. the restart history could not be saved).</summary>
public sealed record HealWarning(DateTimeOffset Time, string Target, string Message) : HealEvent(Time, Target);
