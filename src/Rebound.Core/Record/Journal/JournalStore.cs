using System.Text;
using Rebound.Record.Journal.Sqlite;

namespace Rebound.Record.Journal;

/// <summary>
/// The journal's SQLite file: schema, pragmas, batched inserts, retention and queries. Not thread-safe:
/// the writer owns one instance, each reader call opens its own.
/// </summary>
internal sealed class JournalStore : IDisposable
{
    /// <summary>PRAGMA user_version; bump it and add a step in <see cref="Migrate"/> when the schema changes.</summary>
    public const int SchemaVersion = 1;

    private const string Columns = "id, time_ms, kind, target, json";

    private readonly SqliteDatabase _db;
    private SqliteStatement? _insert;

    private JournalStore(SqliteDatabase db) => _db = db;

    /// <summary>Opens (creating if needed) for writing; throws <see cref="SqliteException"/> (check IsCorruption) or <see cref="JournalException"/>.</summary>
    public static JournalStore OpenForWriting(string path, TimeSpan busyTimeout)
    {
        var db = SqliteDatabase.Open(path, readOnly: false, busyTimeout);
        try
        {
            // Before anything that writes (switching to WAL changes the header): a newer schema is not ours to touch.
            CheckNotNewer(db, path);

            // WAL: a commit is one append to the -wal file; readers (rebound events/status) never block the writer.
            // synchronous=NORMAL: the WAL is fsynced at checkpoints, not at every commit. A committed transaction is in
            // the -wal file (in the OS page cache) when COMMIT returns, so killing the process at any moment - even
            // kill -9 mid-write - loses nothing committed and never corrupts the file: the next open replays or ignores
            // the WAL frames by their checksums. Only a power loss or kernel crash can drop the last commits (never
            // corrupt the database); for an event log that is the right trade against an fsync per event.
            var mode = db.QueryText("PRAGMA journal_mode=WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new JournalException($"{path}: cannot switch to WAL mode (journal_mode is {mode})");
            db.Execute("PRAGMA synchronous=NORMAL");
            var check = db.QueryText("PRAGMA quick_check");
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
                throw new SqliteException(SqliteNative.Corrupt, $"quick_check: {OneLine(check)}");
            Migrate(db, path);
            return new JournalStore(db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Opens read-only (works while another process writes: WAL readers see the last commit).</summary>
    public static JournalStore OpenForReading(string path, TimeSpan busyTimeout)
    {
        if (!File.Exists(path))
            throw new JournalException($"no event journal at {path} yet") { IsMissing = true };
        SqliteDatabase? db = null;
        try
        {
            db = SqliteDatabase.Open(path, readOnly: true, busyTimeout);
            long version;
            try
            {
                version = db.QueryInt64("PRAGMA user_version");
            }
            catch (SqliteException ex) when (ex.Code is SqliteNative.ReadOnly or SqliteNative.CantOpen && !File.Exists(path + "-wal"))
            {
                // A reader without write access to the directory cannot create the -shm file a WAL database needs.
                // Without a -wal file everything is in the main file and no writer is active: read it as immutable.
                db.Dispose();
                db = SqliteDatabase.Open(path, readOnly: true, busyTimeout, immutable: true);
                version = db.QueryInt64("PRAGMA user_version");
            }

            if (version > SchemaVersion)
                throw new JournalException($"{path} was written by a newer rebound (schema {version}, this one reads up to {SchemaVersion})");
            return new JournalStore(db) { IsEmptyFile = version == 0 };
        }
        catch (SqliteException ex)
        {
            db?.Dispose();
            throw new JournalException($"{path}: {ex.Message}", ex);
        }
        catch
        {
            db?.Dispose();
            throw;
        }
    }

    /// <summary>A file without our schema yet (created but never written): every query is empty.</summary>
    private bool IsEmptyFile { get; init; }

    private static long CheckNotNewer(SqliteDatabase db, string path)
    {
        var version = db.QueryInt64("PRAGMA user_version");
        if (version > SchemaVersion)
            throw new JournalException($"{path} was written by a newer rebound (schema {version}, this one writes {SchemaVersion}); not touching it");
        return version;
    }

    private static void Migrate(SqliteDatabase db, string path)
    {
        db.Execute("BEGIN IMMEDIATE");
        try
        {
            var version = CheckNotNewer(db, path);
            if (version < 1)
            {
                db.Execute("""
                    CREATE TABLE IF NOT EXISTS events(
                        id INTEGER PRIMARY KEY,
                        time_ms INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        target TEXT NULL,
                        json TEXT NOT NULL);
                    CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);
                    CREATE INDEX IF NOT EXISTS events_kind ON events(kind, time_ms);
                    """);
            }

            db.Execute($"PRAGMA user_version = {SchemaVersion}");
            db.Execute("COMMIT");
        }
        catch
        {
            db.Execute("ROLLBACK");
            throw;
        }
    }

    /// <summary>Writes the events in one transaction; returns their ids once committed.</summary>
    public long[] Insert(IReadOnlyList<JournalLine> events)
    {
        var ids = new long[events.Count];
        if (events.Count == 0)
            return ids;
        _insert ??= _db.Prepare("INSERT INTO events(time_ms, kind, target, json) VALUES (?1, ?2, ?3, ?4)");
        _db.Execute("BEGIN IMMEDIATE");
        try
        {
            for (int i = 0; i < events.Count; i++)
            {
                var e = events[i];
                _insert.Bind(1, e.Time.ToUnixTimeMilliseconds());
                _insert.Bind(2, e.Kind);
                _insert.Bind(3, e.Target);
                _insert.Bind(4, e.Json);
                _insert.Run();
                ids[i] = _db.LastInsertRowId;
            }

            _db.Execute("COMMIT");
        }
        catch
        {
            _insert.Reset();
            TryRollback();
            throw;
        }

        return ids;
    }

    /// <summary>Deletes events older than <paramref name="cutoff"/> and all but the newest <paramref name="maxEvents"/>; returns how many.</summary>
    public long Prune(DateTimeOffset cutoff, long maxEvents)
    {
        _db.Execute("BEGIN IMMEDIATE");
        try
        {
            long deleted = 0;
            using (var old = _db.Prepare("DELETE FROM events WHERE time_ms < ?1"))
            {
                old.Bind(1, cutoff.ToUnixTimeMilliseconds());
                old.Run();
                deleted += _db.QueryInt64("SELECT changes()");
            }

            using (var excess = _db.Prepare("DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?1)"))
            {
                excess.Bind(1, maxEvents);
                excess.Run();
                deleted += _db.QueryInt64("SELECT changes()");
            }

            _db.Execute("COMMIT");
            return deleted;
        }
        catch
        {
            TryRollback();
            throw;
        }
    }

    /// <summary>The newest <paramref name="limit"/> matching events, oldest first.</summary>
    public List<JournalEntry> Query(DateTimeOffset? since, IReadOnlyCollection<string>? kinds, int limit)
    {
        if (IsEmptyFile)
            return [];
        var sql = new StringBuilder($"SELECT {Columns} FROM events WHERE time_ms >= ?1");
        kinds = kinds is { Count: > 0 } ? [.. kinds.Distinct(StringComparer.Ordinal)] : null;
        if (kinds is not null)
            sql.Append(" AND kind IN (").Append(string.Join(", ", kinds.Select((_, i) => $"?{i + 3}"))).Append(')');
        sql.Append(" ORDER BY id DESC LIMIT ?2");
        using var statement = _db.Prepare($"SELECT * FROM ({sql}) ORDER BY id");
        statement.Bind(1, since?.ToUnixTimeMilliseconds() ?? long.MinValue);
        statement.Bind(2, Math.Max(0, limit));
        int index = 3;
        foreach (var kind in kinds ?? [])
            statement.Bind(index++, kind);
        return ReadAll(statement);
    }

    /// <summary>The newest event of <paramref name="kind"/> (about <paramref name="target"/> when given).</summary>
    public JournalEntry? Latest(string kind, string? target)
    {
        if (IsEmptyFile)
            return null;
        using var statement = _db.Prepare(target is null
            ? $"SELECT {Columns} FROM events WHERE kind = ?1 ORDER BY id DESC LIMIT 1"
            : $"SELECT {Columns} FROM events WHERE kind = ?1 AND target = ?2 ORDER BY id DESC LIMIT 1");
        statement.Bind(1, kind);
        if (target is not null)
            statement.Bind(2, target);
        return ReadAll(statement).FirstOrDefault();
    }

    /// <summary>For each target, its newest event of <paramref name="kind"/>, oldest first.</summary>
    public List<JournalEntry> LatestPerTarget(string kind)
    {
        if (IsEmptyFile)
            return [];
        using var statement = _db.Prepare(
            $"SELECT {Columns} FROM events WHERE id IN (SELECT max(id) FROM events WHERE kind = ?1 GROUP BY target) ORDER BY id");
        statement.Bind(1, kind);
        return ReadAll(statement);
    }

    public long Count() => IsEmptyFile ? 0 : _db.QueryInt64("SELECT count(*) FROM events");

    private static List<JournalEntry> ReadAll(SqliteStatement statement)
    {
        var entries = new List<JournalEntry>();
        while (statement.Step())
        {
            entries.Add(new JournalEntry(
                statement.Int64(0),
                DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(statement.Int64(1), -62135596800000, 253402300799999)),
                statement.Text(2) ?? "",
                statement.Text(3),
                statement.Text(4) ?? ""));
        }

        return entries;
    }

    private void TryRollback()
    {
        try
        {
            _db.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction left to roll back (SQLite already did, e.g. after SQLITE_FULL).
        }
    }

    internal static string OneLine(string? text) => (text ?? "").ReplaceLineEndings(" ");

    public void Dispose()
    {
        _insert?.Dispose();
        _db.Dispose();
    }
}
