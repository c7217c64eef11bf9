using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rebound.Transport;

/// <summary>
/// Runs code inside another network namespace. setns affects only the calling thread, so the work runs on a
/// throwaway thread that enters the namespace and steps back out before it ends. Sockets created there stay
/// in that namespace for their whole life. Needs CAP_SYS_ADMIN.
/// </summary>
public static partial class NetworkNamespace
{
    private const int CloneNewnet = 0x40000000;

    /// <summary>Runs <paramref name="work"/> synchronously inside the namespace at <paramref name="namespacePath"/> (e.g. /var/run/netns/NAME).</summary>
    /// <exception cref="IOException">The namespace could not be entered or left; exceptions of <paramref name="work"/> pass through.</exception>
    public static T Run<T>(string namespacePath, Func<T> work)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        ArgumentNullException.ThrowIfNull(work);
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var original = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
                using var target = File.OpenHandle(namespacePath, FileMode.Open, FileAccess.Read);
                Enter(target, namespacePath);
                try
                {
                    result = work();
                }
                finally
                {
                    Enter(original, "the original namespace");
                }
            }
#pragma warning disable CA1031 // handed back to the caller below
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (result as IDisposable)?.Dispose();
                result = default;
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "netns-setns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);

        return result!;
    }

    private static void Enter(SafeFileHandle handle, string what)
    {
        if (SetNs((int)handle.DangerousGetHandle(), CloneNewnet) != 0)
            throw new IOException($"cannot enter {what}: {new SocketException(Marshal.GetLastPInvokeError()).Message}");
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);
}
