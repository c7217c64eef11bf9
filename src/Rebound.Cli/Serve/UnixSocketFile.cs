using System.Runtime.InteropServices;

namespace Rebound.Cli.Serve;

/// <summary>
/// Whether a path is a Unix socket (not following a symlink). .NET's file APIs cannot tell a socket from a
/// regular file, and the agent runs as root: only a socket may be removed to make room for the control socket.
/// </summary>
internal static partial class UnixSocketFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: mask u32, blksize u32, attributes u64, nlink u32, uid u32, gid u32, mode u16
    private const int FileTypeMask = 0xF000; // S_IFMT
    private const int SocketType = 0xC000;   // S_IFSOCK

    /// <summary>True only when <paramref name="path"/> itself is a socket; false for anything else or when it cannot be told.</summary>
    public static unsafe bool IsSocket(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // statx's layout is the same on every architecture, unlike struct stat's.
        var buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
            {
                return false;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a libc without statx: refuse rather than guess
        }

        return (*(ushort*)(buffer + ModeOffset) & FileTypeMask) == SocketType;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
