namespace Rebound.Record.Journal;

/// <summary>
/// Read-only access to a journal file, safe while <c>rebound run</c> writes to it (a WAL reader sees the
/// last committed transaction and never blocks the writer). Every failure is a one-line <see cref="JournalException"/>.
/// </summary>
public sealed class JournalReader : IDisposable
{
    private readonly JournalStore _store;
    private readonly string _path;

    private JournalReader(JournalStore store, string path)
    {
        _store = store;
        _path = path;
    }

    /// <exception cref="JournalException">Missing (<see cref="JournalException.IsMissing"/>), damaged, not permitted or from a newer rebound.</exception>
    public static JournalReader Open(string path)
    {
        try
        {
            return new JournalReader(JournalStore.OpenForReading(path, TimeSpan.FromSeconds(5)), path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new JournalException($"{path}: the SQLite library libsqlite3.so.0 is not usable ({ex.GetType().Name})", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new JournalException($"{path}: permission denied", ex);
        }
    }

    /// <summary>The newest <paramref name="limit"/> events at or after <paramref name="since"/> (of <paramref name="kinds"/> if given), oldest first.</summary>
    public IReadOnlyList<JournalEntry> Query(DateTimeOffset? since = null, IReadOnlyCollection<string>? kinds = null, int limit = 1000) =>
        Guard(() => _store.Query(since, kinds, limit));

    /// <summary>The newest event of <paramref name="kind"/>, about <paramref name="target"/> when given; null if none.</summary>
    public JournalEntry? Latest(string kind, string? target = null) => Guard(() => _store.Latest(kind, target));

    /// <summary>For each target, the newest event of <paramref name="kind"/>, oldest first.</summary>
    public IReadOnlyList<JournalEntry> LatestPerTarget(string kind) => Guard(() => _store.LatestPerTarget(kind));

    public long Count() => Guard(_store.Count);

    private T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Sqlite.SqliteException ex)
        {
            throw new JournalException($"{_path}: {JournalStore.OneLine(ex.Message)}", ex);
        }
    }

    public void Dispose() => _store.Dispose();
}
