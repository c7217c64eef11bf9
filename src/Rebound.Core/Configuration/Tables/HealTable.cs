namespace Rebound.Configuration;

/// <summary><c>[heal]</c>: how the heal engine paces itself, for every target.</summary>
public sealed class HealTable : ConfigTable
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    // Last: the static field above is needed by the instance.
    public static readonly HealTable Instance = new();

    public DurationKey CheckInterval { get; } = new("check_interval", "Every target is diagnosed this often even without an event, so a flow pinned without any address change is found")
    {
        Default = HealConfig.Default.CheckInterval,
        Max = MaxDuration,
    };

    public IntegerKey MaxRestartsPerHour { get; } = new("max_restarts_per_hour", "Restarts per target in any hour, counted on disk before they run; 0 forbids restarts", 0, 60)
    {
        Default = HealConfig.Default.MaxRestartsPerHour,
    };

    public DurationKey RetryBackoffMin { get; } = new("retry_backoff_min", "A ladder that ended unverified is tried again after this, the wait doubling each time")
    {
        Default = HealConfig.Default.RetryBackoffMin,
        Max = MaxDuration,
    };

    public DurationKey RetryBackoffMax { get; } = new("retry_backoff_max", "The longest wait between two tries")
    {
        Default = HealConfig.Default.RetryBackoffMax,
        Max = MaxDuration,
    };

    public override string Name => "heal";

    public override string Description => "How the heal engine paces itself, for every target.";

    public override IReadOnlyList<ConfigKey> Keys => [CheckInterval, MaxRestartsPerHour, RetryBackoffMin, RetryBackoffMax];

    internal HealConfig Read(ConfigSection s)
    {
        var min = RetryBackoffMin.Read(s)!.Value;
        var max = RetryBackoffMax.Read(s)!.Value;
        if (max < min)
        {
            var key = s.Node(RetryBackoffMax.Name) is not null ? RetryBackoffMax.Name : RetryBackoffMin.Name;
            s.Problem(s.Node(key) ?? s.Table, RetryBackoffMax.Name, $"at least retry_backoff_min ({ConfigDuration.Format(min)}), found {ConfigDuration.Format(max)}");
        }

        var heal = new HealConfig(CheckInterval.Read(s)!.Value, MaxRestartsPerHour.Read(s)!.Value, min, max);
        s.RejectUnknown(Keys);
        return heal;
    }

    internal static string Describe(HealConfig heal) =>
        $"heal: every target diagnosed every {ConfigDuration.Format(heal.CheckInterval)}; at most {heal.MaxRestartsPerHour} restarts per target per hour; "
        + $"an unverified ladder retried after {ConfigDuration.Format(heal.RetryBackoffMin)}, doubling up to {ConfigDuration.Format(heal.RetryBackoffMax)}";
}
