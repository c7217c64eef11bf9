namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    // A property, not a field: KnownWords (in ConfigReader.cs) reads it during static initialisation.
    private static string[] JournalKeys => ["retention", "max_events"];

    /// <summary><c>[journal] retention = "30d"</c>, <c>max_events = 100000</c>.</summary>
    private static JournalConfig ReadJournal(Section s)
    {
        var retention = s.Duration("retention", allowZero: false) ?? JournalConfig.DefaultRetention;
        var maxEvents = (int?)s.Integer("max_events", 100, 100_000_000) ?? JournalConfig.DefaultMaxEvents;
        s.RejectUnknown(JournalKeys);
        return new JournalConfig(retention, maxEvents);
    }
}
