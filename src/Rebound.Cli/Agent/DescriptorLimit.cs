using System.Runtime.InteropServices;

namespace Rebound.Cli.Agent;

/// <summary>
/// The soft RLIMIT_NOFILE raised to the hard limit at start. Native AOT keeps whatever soft limit it inherits
/// (1024 outside systemd), and a local user holding connections open could then starve the probes of sockets.
/// </summary>
internal static partial class DescriptorLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit to the hard one; returns the soft limit now in force (null when it cannot be read).</summary>
    public static ulong? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        var limit = default(RLimit);
        if (GetRLimit(RlimitNofile, ref limit) != 0)
            return null;
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRLimit(RlimitNofile, ref raised) == 0)
                return raised.Current;
        }

        return limit.Current;
    }

    /// <summary>The soft limit in force, or null when it cannot be read.</summary>
    public static ulong? Soft()
    {
        var limit = default(RLimit);
        return OperatingSystem.IsLinux() && GetRLimit(RlimitNofile, ref limit) == 0 ? limit.Current : null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, ref RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, ref RLimit limit);
}
