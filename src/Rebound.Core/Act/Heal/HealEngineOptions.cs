namespace Rebound.Act.Heal;

public sealed class HealEngineOptions
{
    public const string StateFileName = "heal-state.json";

    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(30);
    public const int DefaultMaxRestartsPerHour = 3;

    /// <summary>Where the restart history is kept (<c>heal-state.json</c> in the state directory); null: memory only.</summary>
    public string? StatePath { get; init; }

    /// <summary>Restarts (actions with <see cref="IHealAction.IsRestart"/>) allowed per target in any hour; 0 forbids restarts.</summary>
    public int MaxRestartsPerHour { get; init; } = DefaultMaxRestartsPerHour;

    /// <summary>How often every target is looked at without an event, so a flow pinned without any address change is still found.</summary>
    public TimeSpan CheckInterval { get; init; } = DefaultCheckInterval;

    /// <summary>Delay before the first retry after an exhausted ladder; doubled on each further failure.</summary>
    public TimeSpan RetryBackoffMin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Cap of the doubled retry delay.</summary>
    public TimeSpan RetryBackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>On shutdown, how long an action already running may take to finish before it is abandoned.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Builds the trigger of a periodic check (e.g. <see cref="HealTriggerSource.Periodic(DateTimeOffset)"/>). Null: the last trigger
    /// the engine was given, with reason <c>periodic</c> and the current time.
    /// </summary>
    public Func<DateTimeOffset, HealTrigger>? PeriodicTrigger { get; init; }

    internal void Validate()
    {
        if (MaxRestartsPerHour < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRestartsPerHour), "must not be negative");
        if (CheckInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(CheckInterval), "must be positive");
        if (RetryBackoffMin <= TimeSpan.Zero || RetryBackoffMax < RetryBackoffMin)
            throw new ArgumentOutOfRangeException(nameof(RetryBackoffMin), "backoff must be positive and at most RetryBackoffMax");
        if (ShutdownGrace < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ShutdownGrace), "must not be negative");
    }
}
