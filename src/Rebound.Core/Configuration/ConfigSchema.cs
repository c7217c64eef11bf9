using Rebound.Act.Ddns;
using Rebound.Act.Heal;

namespace Rebound.Configuration;

/// <summary>
/// Every table of the configuration file, in the order the sample configuration and <c>check-config</c> show them:
/// the reader, the known keys, the sample (<see cref="SampleConfig"/>) and the summary (<see cref="ConfigSummary"/>)
/// all work from this list. Heal targets come from <see cref="HealTargets.All"/>, DNS providers from
/// <see cref="DdnsProviders.All"/>; neither is named here.
/// </summary>
public static class ConfigSchema
{
    public static IReadOnlyList<ConfigTable> Tables { get; } =
    [
        WatchTable.Instance,
        StateTable.Instance,
        DdnsTable.Instance,
        .. HealTargets.All,
        HealTable.Instance,
        HookTable.Instance,
        NotifyTable.Instance,
        HealthcheckTable.Instance,
        JournalTable.Instance,
        HttpTable.Instance,
    ];

    /// <summary>
    /// Words that may be quoted back from a TOML syntax error: table and key names, never a value (which may be a secret).
    /// </summary>
    internal static HashSet<string> KnownWords { get; } =
    [
        .. Tables.Select(t => t.Name),
        .. Tables.SelectMany(t => t.Keys).SelectMany(k => k.FileKeys),
        .. DdnsProviders.All.SelectMany(p => p.Keys).SelectMany(k => k.FileKeys),
        "newline", "Invalid", "end-of-line", "end-of-file", "=", "[", "]", "[[", "]]", "{", "}", ",",
    ];
}
