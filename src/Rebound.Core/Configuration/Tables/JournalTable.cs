namespace Rebound.Configuration;

/// <summary><c>[journal]</c>: how long the event journal (journal.db in the state directory) keeps events.</summary>
public sealed class JournalTable : ConfigTable
{
    public static readonly JournalTable Instance = new();

    public DurationKey Retention { get; } = new("retention", "Events older than this are deleted")
    {
        Default = JournalConfig.DefaultRetention,
    };

    public IntegerKey MaxEvents { get; } = new("max_events", "And all but the newest this many", 100, 100_000_000)
    {
        Default = JournalConfig.DefaultMaxEvents,
    };

    public override string Name => "journal";

    public override string Description => "The SQLite event journal in the state directory, read with 'rebound events'.";

    public override IReadOnlyList<ConfigKey> Keys => [Retention, MaxEvents];

    internal JournalConfig Read(ConfigSection s)
    {
        var journal = new JournalConfig(Retention.Read(s)!.Value, MaxEvents.Read(s)!.Value);
        s.RejectUnknown(Keys);
        return journal;
    }

    internal static string Describe(JournalConfig journal) =>
        $"journal: events kept for {ConfigDuration.Format(journal.Retention)}, at most {journal.MaxEvents}";
}
