using System.Globalization;

namespace Rebound.Cli.Service;

/// <summary>What the service manager told us through the environment (sd_notify(3), sd_watchdog_enabled(3)).</summary>
internal sealed record SystemdNotifierOptions
{
    /// <summary><c>$NOTIFY_SOCKET</c>: an absolute path, or '@' + an abstract socket name; null when not run by a manager.</summary>
    public string? NotifySocket { get; init; }

    /// <summary><c>$WATCHDOG_USEC</c>, when it is meant for this process (<c>$WATCHDOG_PID</c> unset or ours).</summary>
    public TimeSpan? Watchdog { get; init; }

    public static SystemdNotifierOptions FromEnvironment(Func<string, string?> env, int processId)
    {
        ArgumentNullException.ThrowIfNull(env);
        var socket = env("NOTIFY_SOCKET");

        // Only absolute paths and abstract names are valid (sd_notify ignores anything else).
        if (socket is not { Length: > 1 } || (socket[0] != '/' && socket[0] != '@'))
        {
            socket = null;
        }

        TimeSpan? watchdog = null;
        if (ulong.TryParse(env("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            && usec <= (ulong)TimeSpan.FromDays(1).Ticks / 10)
        {
            // A WATCHDOG_PID naming another process (we were started by a wrapper, or inherited the
            // variables from our parent) means the watchdog is not ours to feed.
            var pid = env("WATCHDOG_PID");
            var ours = string.IsNullOrEmpty(pid)
                || (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p == processId);
            if (ours)
            {
                watchdog = TimeSpan.FromTicks((long)usec * 10);
            }
        }

        return new SystemdNotifierOptions { NotifySocket = socket, Watchdog = watchdog };
    }
}
