namespace Rebound.Configuration;

/// <summary>
/// What a valid configuration will do, for <c>check-config</c>: one line per table or entry, every table included (with
/// its defaults when the file has none), in the order of <see cref="ConfigSchema.Tables"/>. Each line is its
/// definition's; no secrets, only where they come from.
/// </summary>
public static class ConfigSummary
{
    public static IReadOnlyList<string> Describe(ReboundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return
        [
            WatchTable.Describe(config.Watch),
            StateTable.Describe(config.State),
            .. config.Ddns.Select(DdnsTable.Describe),
            .. config.HealTargets.Select(t => t.Describe()),
            HealTable.Describe(config.Heal),
            .. config.Hooks.Select(HookTable.Describe),
            .. config.Notify.Select(NotifyTable.Describe),
            .. (config.Healthcheck is { } check ? [HealthcheckTable.Describe(check)] : Array.Empty<string>()),
            JournalTable.Describe(config.Journal),
            HttpTable.Describe(config.Http),
        ];
    }
}
