namespace Rebound.Record.Journal;

/// <summary>
/// One stored event. <paramref name="Json"/> is exactly the object <c>rebound run --json</c> printed for it;
/// <paramref name="Id"/> grows with every event written (insertion order).
/// </summary>
public sealed record JournalEntry(long Id, DateTimeOffset Time, string Kind, string? Target, string Json);

/// <summary>
/// One event to store: what the journal keeps of a <see cref="RecordedEvent"/>. The journal stores lines, not types,
/// so it reads the kinds of older and newer versions alike.
/// </summary>
public sealed record JournalLine(DateTimeOffset Time, string Kind, string? Target, string Json)
{
    public static JournalLine Of(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return new JournalLine(recorded.Time, recorded.Kind, recorded.Target, recorded.Json);
    }
}

/// <summary>The journal file cannot be read: missing, damaged, not permitted, or from a newer rebound. The message is one line.</summary>
public sealed class JournalException : Exception
{
    public JournalException(string message)
        : base(message)
    {
    }

    public JournalException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public JournalException()
    {
    }

    /// <summary>True when there is no journal file at all (nothing has been recorded yet).</summary>
    public bool IsMissing { get; init; }
}
