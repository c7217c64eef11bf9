using System.Globalization;
using System.Runtime.InteropServices;

namespace Rebound.Cli.Service;

/// <summary>
/// Whether stderr is systemd's journal stream: <c>$JOURNAL_STREAM</c> ("DEV:INODE", set by systemd for
/// StandardError=journal) names the very file stderr is (sd-daemon(3)). Checking the descriptor, not just
/// the variable, matters: a child whose stderr was redirected to a file inherits the variable too.
/// </summary>
internal static partial class JournalStream
{
    /// <summary>True when fd 2 is the stream <c>$JOURNAL_STREAM</c> describes.</summary>
    public static bool IsStderrJournal() =>
        Matches(Environment.GetEnvironmentVariable("JOURNAL_STREAM"), DeviceAndInode(2));

    /// <summary>True when <paramref name="journalStream"/> ("DEV:INODE", decimal) names <paramref name="file"/>.</summary>
    public static bool Matches(string? journalStream, (ulong Device, ulong Inode)? file)
    {
        if (journalStream is null || file is not { } f)
        {
            return false;
        }

        var colon = journalStream.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && ulong.TryParse(journalStream.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var dev)
            && ulong.TryParse(journalStream.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ino)
            && dev == f.Device && ino == f.Inode;
    }

    /// <summary>The device and inode of an open descriptor (fstat), or null if it is not open.</summary>
    public static unsafe (ulong Device, ulong Inode)? DeviceAndInode(int fd)
    {
        // struct stat starts with st_dev and st_ino, both 64-bit, on x86-64 and arm64 alike; the
        // buffer is larger than either layout.
        var buffer = stackalloc ulong[32];
        return Fstat(fd, buffer) == 0 ? (buffer[0], buffer[1]) : null;
    }

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int Fstat(int fd, ulong* buf);
}
