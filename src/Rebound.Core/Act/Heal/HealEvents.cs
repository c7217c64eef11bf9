namespace Rebound.Act.Heal;

/// <summary>Something the heal engine did, for <c>rebound run --json</c>, the journal, metrics and hooks. <see cref="Name"/> is the JSON event name.</summary>
public abstract record HealEvent(DateTimeOffset Time, string Target)
{
    public abstract string Name { get; }
}

/// <summary>A target needs healing. <paramref name="Reason"/> is the detecting event's name; the diagnosis and its evidence say why.</summary>
public sealed record HealStarted(DateTimeOffset Time, string Target, string Reason, HealDiagnosis Diagnosis) : HealEvent(Time, Target)
{
    public override string Name => "heal-started";
}

/// <summary>
/// One rung: <paramref name="Result"/> is <c>done</c> (ran, verified below), <c>failed</c> (could not run),
/// <c>verified</c> or <c>unverified</c> (verification deadline passed), or <c>skipped</c> (restart budget spent).
/// </summary>
public sealed record HealStep(DateTimeOffset Time, string Target, string Action, string Result, long DurationMs, string Detail) : HealEvent(Time, Target)
{
    public override string Name => "heal-step";
}

/// <summary>The target works again. <paramref name="ElapsedMs"/> runs from the detecting event.</summary>
public sealed record HealVerified(DateTimeOffset Time, string Target, string Action, long ElapsedMs, string Evidence) : HealEvent(Time, Target)
{
    public override string Name => "heal-verified";
}

/// <summary>
/// Every applicable rung was tried and none verified, or the restart budget is spent
/// (<paramref name="RestartsExhausted"/>: said loudly, the engine will not restart again this hour).
/// <paramref name="RetryIn"/>: when the engine tries again on its own (null: on the next event only).
/// </summary>
public sealed record HealFailed(DateTimeOffset Time, string Target, string Error, bool RestartsExhausted, TimeSpan? RetryIn) : HealEvent(Time, Target)
{
    public override string Name => "heal-failed";
}

/// <summary>A target was diagnosed and needs nothing (or the upstream is down, so there is nothing to do yet).</summary>
public sealed record HealSkipped(DateTimeOffset Time, string Target, string Reason, HealDiagnosis Diagnosis) : HealEvent(Time, Target)
{
    public override string Name => "heal-skipped";
}
