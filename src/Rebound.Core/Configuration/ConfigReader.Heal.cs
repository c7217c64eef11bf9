namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    // A property, not a field: KnownWords (in another part of this partial class) reads it during static initialisation.
    private static string[] HealKeys => ["check_interval", "max_restarts_per_hour", "retry_backoff_min", "retry_backoff_max"];

    private static readonly TimeSpan MaxHealDuration = TimeSpan.FromHours(24);

    private HealConfig ReadHeal(Section s)
    {
        var defaults = HealConfig.Default;
        var check = s.Duration("check_interval", allowZero: false, max: MaxHealDuration) ?? defaults.CheckInterval;
        var restarts = (int?)s.Integer("max_restarts_per_hour", 0, 60) ?? defaults.MaxRestartsPerHour;
        var min = s.Duration("retry_backoff_min", allowZero: false, max: MaxHealDuration) ?? defaults.RetryBackoffMin;
        var max = s.Duration("retry_backoff_max", allowZero: false, max: MaxHealDuration) ?? defaults.RetryBackoffMax;
        if (max < min)
        {
            var at = s.Node("retry_backoff_max") ?? s.Node("retry_backoff_min") ?? s.Table;
            Problem(at, s.Key("retry_backoff_max"), $"at least retry_backoff_min ({ConfigDuration.Format(min)}), found {ConfigDuration.Format(max)}");
        }

        s.RejectUnknown(HealKeys);
        return new HealConfig(check, restarts, min, max);
    }
}
