using System.Runtime.InteropServices;

namespace Rebound.Record;

/// <summary>
/// fsync of a directory, so that a rename into it survives power loss. .NET cannot open a directory
/// as a stream, hence libc. Best effort: failures are ignored (the file itself was already fsynced).
/// </summary>
internal static partial class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloexec = 0x80000; // same value on x86-64 and arm64

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = Open(directory, ORdOnly | OCloexec);
        if (fd < 0)
            return;
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
