using System.Text.Json;

namespace Rebound.Record;

/// <summary>
/// The one way state files are written (DDNS cache, restart history, tune backup, saved status): a reader
/// or a crash sees the old file or the new one, never half of either. A temporary file beside the target,
/// created new (O_CREAT|O_EXCL, so nothing already at its name is opened: a planted file or symlink can neither
/// redirect the write nor have its target's mode changed), mode 0600, flushed to disk, renamed over the target,
/// then the directory synced.
/// </summary>
public static class AtomicFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <exception cref="IOException">The file could not be written; the temporary file is removed and the old file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The same, for permissions.</exception>
    public static void Write(string path, Action<Stream> write) => Place(path, write, overwrite: true);

    /// <summary>
    /// Writes <paramref name="path"/> only if nothing is there: the complete file appears at once (linked into place,
    /// never over an existing name), so a racing writer or reader never sees half of it. Returns false when it
    /// already existed (left untouched).
    /// </summary>
    /// <exception cref="IOException">It could not be written; no temporary file is left.</exception>
    /// <exception cref="UnauthorizedAccessException">The same, for permissions.</exception>
    public static bool CreateOnce(string path, Action<Stream> write) => Place(path, write, overwrite: false);

    private static bool Place(string path, Action<Stream> write, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = CreateNew(temp))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, full, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(full))
            {
                return false;
            }

            DirectorySync.Flush(directory);
            return true;
        }
        finally
        {
            try
            {
                File.Delete(temp); // nothing there after a move; else what a failure left
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Best effort: the next write overwrites it.
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="temp"/> as a new file, mode 0600 whatever the umask. When something is at that name
    /// already (a temporary file left by a crash, or something planted), the name is unlinked (which never follows a
    /// link) and the create tried again.
    /// </summary>
    private static FileStream CreateNew(string temp)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stream = new FileStream(temp, options);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly); // the file just created: a stricter umask made it less than 0600
                return stream;
            }
            catch (IOException) when (attempt < 3)
            {
                // The name exists (EEXIST); remove it and try again, in case it is put back meanwhile.
                File.Delete(temp);
            }
        }
    }

    /// <summary><see cref="Write"/> with an indented JSON document.</summary>
    public static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            write(json);
        });
    }
}
