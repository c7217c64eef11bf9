using System.Text.Json;

namespace Rebound.Record;

/// <summary>
/// The one way state files are written (DDNS cache, restart history, tune backup, saved status): a reader
/// or a crash sees the old file or the new one, never half of either. A temporary file beside the target,
/// mode 0600, flushed to disk, renamed over the target, then the directory synced.
/// </summary>
public static class AtomicFile
{
    /// <exception cref="IOException">The file could not be written; the temporary file is removed and the old file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The same, for permissions.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temp, options))
            {
                // FileMode.Create on a leftover temporary file keeps its mode: force 0600.
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            DirectorySync.Flush(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Best effort: the next write overwrites it.
            }

            throw;
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
