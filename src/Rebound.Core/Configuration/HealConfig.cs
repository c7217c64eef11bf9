using Rebound.Act.Heal;

namespace Rebound.Configuration;

/// <summary>The <c>[heal]</c> table: how the heal engine paces itself.</summary>
public sealed record HealConfig(TimeSpan CheckInterval, int MaxRestartsPerHour, TimeSpan RetryBackoffMin, TimeSpan RetryBackoffMax)
{
    public static HealConfig Default { get; } = new(
        HealEngineOptions.DefaultCheckInterval, HealEngineOptions.DefaultMaxRestartsPerHour, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5));

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
