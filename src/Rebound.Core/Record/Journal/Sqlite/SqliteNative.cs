using System.Reflection;
using System.Runtime.InteropServices;

namespace Rebound.Record.Journal.Sqlite;

/// <summary>
/// The few functions of the SQLite C API the journal needs, bound directly. The Native AOT binary links
/// Debian's libsqlite3.a statically (DirectPInvoke "libsqlite3" in Rebound.Cli.csproj), so it stays one file;
/// JIT builds (tests, <c>dotnet run</c>) load the runtime library libsqlite3.so.0, which every Debian system has
/// (the unversioned libsqlite3.so is only in the -dev package).
/// </summary>
internal static partial class SqliteNative
{
    private const string Library = "libsqlite3";

    public const int Ok = 0;
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int Corrupt = 11;
    public const int CantOpen = 14;
    public const int NotADatabase = 26;
    public const int Row = 100;
    public const int Done = 101;

    public const int OpenReadOnly = 0x1;
    public const int OpenReadWrite = 0x2;
    public const int OpenCreate = 0x4;
    public const int OpenUri = 0x40;
    public const int OpenNoMutex = 0x8000;

    public const int TypeNull = 5;

    /// <summary>SQLITE_TRANSIENT: SQLite copies bound text before the call returns.</summary>
    public static readonly nint Transient = -1;

    static SqliteNative()
    {
        // Only consulted when the call is not bound directly (JIT builds): prefer the runtime library's soname.
        NativeLibrary.SetDllImportResolver(typeof(SqliteNative).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? paths)
    {
        if (name != Library)
            return 0;
        foreach (var candidate in new[] { "libsqlite3.so.0", "libsqlite3.so", "libsqlite3.dylib", "sqlite3" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, paths, out var handle))
                return handle;
        }

        return 0;
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_open_v2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string filename, out nint db, int flags, string? vfs);

    [LibraryImport(Library, EntryPoint = "sqlite3_close_v2")]
    public static partial int Close(nint db);

    [LibraryImport(Library, EntryPoint = "sqlite3_busy_timeout")]
    public static partial int BusyTimeout(nint db, int milliseconds);

    [LibraryImport(Library, EntryPoint = "sqlite3_exec", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Exec(nint db, string sql, nint callback, nint argument, nint errorMessage);

    [LibraryImport(Library, EntryPoint = "sqlite3_errmsg")]
    public static partial nint ErrorMessage(nint db);

    [LibraryImport(Library, EntryPoint = "sqlite3_errstr")]
    public static partial nint ErrorString(int code);

    [LibraryImport(Library, EntryPoint = "sqlite3_prepare_v2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Prepare(nint db, string sql, int bytes, out nint statement, nint tail);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    public static partial int BindInt64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    public static unsafe partial int BindText(nint statement, int index, byte* text, int bytes, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    public static partial int BindNull(nint statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    public static partial int Reset(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_clear_bindings")]
    public static partial int ClearBindings(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_finalize")]
    public static partial int Finalize(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    public static partial int ColumnType(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    public static partial long ColumnInt64(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_text")]
    public static partial nint ColumnText(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    public static partial int ColumnBytes(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_last_insert_rowid")]
    public static partial long LastInsertRowId(nint db);
}
