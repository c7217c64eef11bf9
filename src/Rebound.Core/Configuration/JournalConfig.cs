namespace Rebound.Configuration;

/// <summary>The <c>[journal]</c> table: how long the event journal (journal.db in the state directory) keeps events.</summary>
public sealed record JournalConfig(TimeSpan Retention, int MaxEvents)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);
    public const int DefaultMaxEvents = 100_000;

    public static JournalConfig Default { get; } = new(DefaultRetention, DefaultMaxEvents);
}
