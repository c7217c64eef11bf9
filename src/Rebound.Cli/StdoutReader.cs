using System.Runtime.InteropServices;

namespace Rebound.Cli;

/// <summary>
/// Notices that whoever reads our stdout has gone (`rebound watch --json | head -1`), even when no
/// event is written: the write end of a pipe whose reader closed polls as POLLERR.
/// </summary>
internal static partial class StdoutReader
{
    private const short PollErr = 0x008;
    private const short PollHup = 0x010;

    public static async Task WhenGoneAsync(TimeProvider time, CancellationToken ct)
    {
        while (!IsGone())
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
        }
    }

    private static bool IsGone()
    {
        var fd = new PollFd { Fd = 1 };
        return Poll(ref fd, 1, 0) == 1 && (fd.REvents & (PollErr | PollHup)) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeoutMs);
}
