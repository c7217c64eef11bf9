namespace Rebound.Act.Heal;

/// <summary>
/// Something the agent keeps working across failovers (a WireGuard interface, tailscaled, the router's
/// NAT table). It diagnoses itself, offers a ladder of remedies from least to most disruptive, and
/// says whether it works again. The heal engine decides when to climb the ladder.
/// </summary>
public interface IHealTarget
{
    /// <summary>Stable and unique, e.g. <c>wireguard:wg0</c>, <c>tailscale</c>, <c>router:conntrack</c>.</summary>
    string Name { get; }

    /// <summary>Remedies, least disruptive first. The engine skips those that don't apply to the diagnosis.</summary>
    IReadOnlyList<IHealAction> Ladder { get; }

    /// <summary>After each rung, how long the target gets to verify before the engine escalates.</summary>
    TimeSpan VerifyDeadline { get; }

    /// <summary>How often <see cref="VerifyAsync"/> is retried within <see cref="VerifyDeadline"/>.</summary>
    TimeSpan VerifyInterval { get; }

    /// <summary>Whether this trigger is one the target should be looked at for (router mode only cares about local network changes).</summary>
    bool Wants(HealTrigger trigger);

    /// <summary>Looks at the target's own state (handshakes, LocalAPI status, conntrack) and names its condition.</summary>
    ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken);

    /// <summary>One check that the target works again; the evidence line is journaled either way.</summary>
    ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken);
}

/// <summary>One rung of a target's ladder.</summary>
public interface IHealAction
{
    /// <summary>Which remedy this is; its JSON name is the <c>action</c> of <c>heal-step</c>.</summary>
    HealActionKind Kind { get; }

    /// <summary>Restarts count against the per-target hourly restart budget.</summary>
    bool IsRestart { get; }

    bool AppliesTo(HealDiagnosis diagnosis);

    /// <summary>
    /// Does it. Returns one line for the journal ("listen port 51820 -> 43117"). Throws
    /// <see cref="HealActionException"/> with a one-line reason when it could not be done.
    /// </summary>
    ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken);
}

/// <summary>
/// Result of one verification attempt. <see cref="NextRung"/> (with Ok false): what this rung fixes is fixed, the rest
/// is for a later rung, so waiting out the deadline would only delay it; the engine escalates at once.
/// </summary>
public readonly record struct HealCheck(bool Ok, string Evidence)
{
    public bool NextRung { get; init; }
}

/// <summary>An action could not be carried out; the message is one line without secrets.</summary>
public sealed class HealActionException : Exception
{
    public HealActionException()
    {
    }

    public HealActionException(string message)
        : base(message)
    {
    }

    public HealActionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The action found at run time that it does not apply (a tool missing, no NAT upstream): the step is
/// <see cref="HealStepResult.NotApplicable"/> with this one-line reason, and the ladder goes on without verifying.
/// </summary>
public sealed class HealActionNotApplicableException : Exception
{
    public HealActionNotApplicableException()
    {
    }

    public HealActionNotApplicableException(string message)
        : base(message)
    {
    }

    public HealActionNotApplicableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
