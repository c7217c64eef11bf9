using Rebound.Cli.Agent;

namespace Rebound.Cli.Serve;

/// <summary>
/// Descriptors kept for sensing and acting (probes, DNS updates, heals, the journal): while fewer than the reserve
/// are free below the soft RLIMIT_NOFILE, a listener closes each new connection at once. Counting
/// <c>/proc/self/fd</c> reads a directory, so the count is refreshed at most every <see cref="RefreshEvery"/>;
/// in between, the accepted descriptor's own number is a lower bound (the kernel hands out the lowest free one).
/// </summary>
internal sealed class DescriptorReserve(int reserve, Func<(long Open, long Limit)?> read, TimeProvider time)
{
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private (long Open, long Limit)? _last;
    private long _readAt;

    /// <summary>True when a connection on <paramref name="acceptedFd"/> would eat into the reserve: close it.</summary>
    public bool IsShort(long acceptedFd)
    {
        if (reserve <= 0)
            return false;
        (long Open, long Limit)? last;
        lock (_gate)
        {
            if (_readAt == 0 || time.GetElapsedTime(_readAt) >= RefreshEvery)
            {
                _last = read();
                _readAt = Math.Max(1, time.GetTimestamp());
            }

            last = _last;
        }

        return last is { } now && Math.Max(now.Open, acceptedFd + 1) > now.Limit - reserve;
    }

    /// <summary>This process's open descriptors and soft limit; null when unknown (then nothing is refused for it).</summary>
    public static (long Open, long Limit)? ReadProcess()
    {
        if (!OperatingSystem.IsLinux() || DescriptorLimit.Soft() is not { } soft)
            return null;
        try
        {
            return (Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount(), (long)Math.Min(soft, long.MaxValue));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
