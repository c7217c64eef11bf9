using Rebound.Act.Heal;

namespace Rebound.Configuration;

/// <summary>The <c>[heal]</c> table: how the heal engine paces itself.</summary>
public sealed record HealConfig(TimeSpan CheckInterval, int MaxRestartsPerHour, TimeSpan RetryBackoffMin, TimeSpan RetryBackoffMax)
{
    private static readonly HealEngineOptions EngineDefaults = new();

    /// <summary>The engine's own defaults: they are written once, in <see cref="HealEngineOptions"/>.</summary>
    public static HealConfig Default { get; } = new(
        EngineDefaults.CheckInterval, EngineDefaults.MaxRestartsPerHour, EngineDefaults.RetryBackoffMin, EngineDefaults.RetryBackoffMax);

    /// <summary>Engine options with the restart history kept in <paramref name="stateDirectory"/>/heal-state.json.</summary>
    public HealEngineOptions ToEngineOptions(string stateDirectory, Func<DateTimeOffset, HealTrigger>? periodicTrigger = null) => new()
    {
        StatePath = Path.Combine(stateDirectory, HealEngineOptions.StateFileName),
        CheckInterval = CheckInterval,
        MaxRestartsPerHour = MaxRestartsPerHour,
        RetryBackoffMin = RetryBackoffMin,
        RetryBackoffMax = RetryBackoffMax,
        PeriodicTrigger = periodicTrigger,
    };
}
