using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Rebound.Configuration;

/// <summary>
/// Reads a configuration or secret file that someone else may have pointed anywhere: only a regular file (a FIFO
/// would hang the reader, <c>/dev/zero</c> would fill memory), and only up to a size cap. Opened with O_NONBLOCK, so
/// even opening a FIFO returns at once; the type is then checked on the descriptor itself (no race with a rename).
/// </summary>
public static partial class BoundedFile
{
    /// <summary>The configuration file's cap: a real one is a few KiB.</summary>
    public const int MaxConfigBytes = 1024 * 1024;

    /// <summary>A secret or key file's cap: a TSIG key file or an API token is well under 1 KiB.</summary>
    public const int MaxSecretBytes = 64 * 1024;

    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    /// <summary>The file's text (UTF-8).</summary>
    /// <exception cref="BoundedFileException">Not a regular file, or larger than <paramref name="maxBytes"/>; the message is one line and names neither content nor secret.</exception>
    /// <exception cref="IOException">It cannot be read (FileNotFoundException, DirectoryNotFoundException for a missing one).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static string ReadText(string path, int maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("a path with a NUL character", nameof(path));
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > maxBytes)
                throw new BoundedFileException($"larger than {maxBytes / 1024} KiB");
            return File.ReadAllText(path);
        }

        using var handle = Open(path);
        if (!IsRegular(handle))
            throw new BoundedFileException("not a regular file");
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var content = new MemoryStream();
        long offset = 0;
        int n;
        while ((n = RandomAccess.Read(handle, buffer, offset)) > 0)
        {
            offset += n;
            if (offset > maxBytes)
                throw new BoundedFileException($"larger than {maxBytes / 1024} KiB");
            content.Write(buffer, 0, n);
        }

        // Like File.ReadAllText: a UTF-8 byte order mark is not part of the text.
        var bytes = content.GetBuffer().AsSpan(0, (int)content.Length);
        if (bytes.StartsWith("\xEF\xBB\xBF"u8))
            bytes = bytes[3..];
        return Encoding.UTF8.GetString(bytes);
    }

    private static SafeFileHandle Open(string path)
    {
        var fd = OpenNative(path, ORdOnly | ONonBlock | OCloExec);
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        var errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            2 => new FileNotFoundException("no such file", path),   // ENOENT
            20 => new DirectoryNotFoundException("not a directory"),  // ENOTDIR
            13 or 1 => new UnauthorizedAccessException("permission denied"), // EACCES, EPERM
            21 => new BoundedFileException("not a regular file"),      // EISDIR
            _ => new IOException($"open failed (errno {errno})"),
        };
    }

    private static unsafe bool IsRegular(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[256];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType, buffer) != 0)
                return false;
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }

        return (*(ushort*)(buffer + ModeOffset) & FileTypeMask) == RegularFile;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}

/// <summary>A file that is not a regular file or is too large to be a configuration or secret file.</summary>
public sealed class BoundedFileException : IOException
{
    public BoundedFileException(string message)
        : base(message)
    {
    }

    public BoundedFileException()
    {
    }

    public BoundedFileException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
