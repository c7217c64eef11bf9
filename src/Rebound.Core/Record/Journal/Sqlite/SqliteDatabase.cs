using System.Runtime.InteropServices;
using System.Text;

namespace Rebound.Record.Journal.Sqlite;

/// <summary>A failed SQLite call: the primary result code and SQLite's own one-line message.</summary>
internal sealed class SqliteException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;

    /// <summary>The file is not a database or is damaged: moving it aside is the only repair.</summary>
    public bool IsCorruption => Code is SqliteNative.Corrupt or SqliteNative.NotADatabase;
}

/// <summary>One connection, used by one thread at a time (the journal's writer, or one reader call).</summary>
internal sealed class SqliteDatabase : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private nint _db;

    private SqliteDatabase(nint db) => _db = db;

    /// <summary>
    /// Opens <paramref name="path"/>. Opened for writing, the database is owner-only (0600) whatever the umask, and so
    /// are the -wal and -shm files SQLite makes beside it: SQLite gives those the database file's mode.
    /// </summary>
    public static SqliteDatabase Open(string path, bool readOnly, TimeSpan busyTimeout, bool immutable = false)
    {
        if (!readOnly)
            MakeOwnerOnly(path);
        var flags = (readOnly ? SqliteNative.OpenReadOnly : SqliteNative.OpenReadWrite | SqliteNative.OpenCreate) | SqliteNative.OpenNoMutex;
        if (immutable)
        {
            // A URI so SQLite neither locks nor looks for -wal/-shm: only for a file nobody is writing.
            flags |= SqliteNative.OpenUri;
            path = "file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal)
                .Replace("#", "%23", StringComparison.Ordinal) + "?immutable=1";
        }

        int rc = SqliteNative.Open(path, out var db, flags, null);
        if (rc != SqliteNative.Ok)
        {
            // Even a failed open returns a handle (unless out of memory) that holds the message and must be closed.
            var message = db != 0 ? Message(db) : ErrorString(rc);
            _ = SqliteNative.Close(db);
            throw new SqliteException(rc, message);
        }

        _ = SqliteNative.BusyTimeout(db, (int)Math.Clamp(busyTimeout.TotalMilliseconds, 0, int.MaxValue));
        return new SqliteDatabase(db);
    }

    /// <summary>
    /// Creates the database file empty with mode 0600 when it is missing (SQLite would create it 0644 less the umask),
    /// and sets 0600 on the files of one that exists (written by an older version, or left with -wal/-shm by a crash).
    /// A symbolic link is left as it is: its target is not ours to change.
    /// </summary>
    private static void MakeOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }).Dispose();
        }
        catch (IOException)
        {
            // It exists (or cannot be made, which SQLite's own open reports).
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            try
            {
                if (new FileInfo(file) is { Exists: true, LinkTarget: null } && File.GetUnixFileMode(file) != OwnerOnly)
                    File.SetUnixFileMode(file, OwnerOnly);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not ours (a read-only copy): SQLite's open says what is wrong, if anything.
            }
        }
    }

    public void Execute(string sql)
    {
        Check(SqliteNative.Exec(Handle, sql, 0, 0, 0));
    }

    /// <summary>The first column of the first row, as text (for PRAGMAs).</summary>
    public string? QueryText(string sql)
    {
        using var statement = Prepare(sql);
        return statement.Step() ? statement.Text(0) : null;
    }

    public long QueryInt64(string sql)
    {
        using var statement = Prepare(sql);
        return statement.Step() ? statement.Int64(0) : 0;
    }

    public SqliteStatement Prepare(string sql)
    {
        Check(SqliteNative.Prepare(Handle, sql, -1, out var statement, 0));
        return new SqliteStatement(this, statement);
    }

    public long LastInsertRowId => SqliteNative.LastInsertRowId(Handle);

    internal nint Handle => _db != 0 ? _db : throw new ObjectDisposedException(nameof(SqliteDatabase));

    internal void Check(int rc)
    {
        if (rc != SqliteNative.Ok)
            throw new SqliteException(rc, Message(_db));
    }

    internal static string Message(nint db) => Marshal.PtrToStringUTF8(SqliteNative.ErrorMessage(db)) ?? "unknown SQLite error";

    private static string ErrorString(int rc) => Marshal.PtrToStringUTF8(SqliteNative.ErrorString(rc)) ?? $"SQLite error {rc}";

    public void Dispose()
    {
        if (_db != 0)
        {
            _ = SqliteNative.Close(_db);
            _db = 0;
        }
    }
}

/// <summary>A prepared statement; parameters are 1-based, columns 0-based, as in the C API.</summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteDatabase _database;
    private nint _statement;

    internal SqliteStatement(SqliteDatabase database, nint statement)
    {
        _database = database;
        _statement = statement;
    }

    public void Bind(int index, long value) => _database.Check(SqliteNative.BindInt64(Handle, index, value));

    public unsafe void Bind(int index, string? value)
    {
        if (value is null)
        {
            _database.Check(SqliteNative.BindNull(Handle, index));
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* text = bytes)
        {
            // A non-null pointer even for "" (a null pointer would bind NULL); SQLite copies the text.
            byte empty = 0;
            _database.Check(SqliteNative.BindText(Handle, index, bytes.Length == 0 ? &empty : text, bytes.Length, SqliteNative.Transient));
        }
    }

    /// <summary>True when a row is available, false when the statement is done.</summary>
    public bool Step()
    {
        int rc = SqliteNative.Step(Handle);
        return rc switch
        {
            SqliteNative.Row => true,
            SqliteNative.Done => false,
            _ => throw new SqliteException(rc, SqliteDatabase.Message(_database.Handle)),
        };
    }

    /// <summary>Runs a statement that returns no rows, then makes it ready for the next bindings.</summary>
    public void Run()
    {
        try
        {
            while (Step())
            {
            }
        }
        finally
        {
            Reset();
        }
    }

    public void Reset()
    {
        _ = SqliteNative.Reset(Handle);
        _ = SqliteNative.ClearBindings(Handle);
    }

    public long Int64(int column) => SqliteNative.ColumnInt64(Handle, column);

    public string? Text(int column)
    {
        if (SqliteNative.ColumnType(Handle, column) == SqliteNative.TypeNull)
            return null;
        var text = SqliteNative.ColumnText(Handle, column);
        int length = SqliteNative.ColumnBytes(Handle, column);
        return text == 0 ? "" : Marshal.PtrToStringUTF8(text, length);
    }

    private nint Handle => _statement != 0 ? _statement : throw new ObjectDisposedException(nameof(SqliteStatement));

    public void Dispose()
    {
        if (_statement != 0)
        {
            _ = SqliteNative.Finalize(_statement);
            _statement = 0;
        }
    }
}
