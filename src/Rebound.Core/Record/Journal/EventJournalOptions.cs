using Rebound.Configuration;

namespace Rebound.Record.Journal;

public sealed class EventJournalOptions
{
    /// <summary>The SQLite file; normally <c>journal.db</c> in the state directory (see <see cref="InStateDirectory"/>).</summary>
    public required string Path { get; init; }

    /// <summary>Events older than this are deleted.</summary>
    public TimeSpan Retention { get; init; } = JournalConfig.DefaultRetention;

    /// <summary>At most this many events are kept (the newest).</summary>
    public int MaxEvents { get; init; } = JournalConfig.DefaultMaxEvents;

    /// <summary>How often retention runs (it also runs once at start).</summary>
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Events waiting for the disk; beyond this, new events are dropped (with one warning) rather than blocking the agent.</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>At most this many events per transaction.</summary>
    public int MaxBatch { get; init; } = 512;

    /// <summary>How long disposing waits for queued events to reach the disk.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a statement waits for another connection's lock (another writer, a checkpoint).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static EventJournalOptions InStateDirectory(string stateDirectory, JournalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new()
        {
            Path = System.IO.Path.Combine(stateDirectory, EventJournal.FileName),
            Retention = config.Retention,
            MaxEvents = config.MaxEvents,
        };
    }
}
