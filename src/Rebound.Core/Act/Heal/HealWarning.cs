namespace Rebound.Act.Heal;

/// <summary>Something the engine could not do that does not stop it (e.g. the restart history could not be saved).</summary>
public sealed record HealWarning(DateTimeOffset Time, string Target, string Message) : HealEvent(Time, Target)
{
    public override string Name => "heal-warning";
}
