using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Rebound.Cli.Service;

/// <summary>
/// The service manager's side of <c>Type=notify</c> (sd_notify(3)), without libsystemd: one datagram
/// per state change to <c>$NOTIFY_SOCKET</c> (a path, or an abstract name written with a leading '@').
/// Without <c>$NOTIFY_SOCKET</c> (a shell, a test, another init) every call does nothing.
/// A failed send is not fatal: the manager then stops or restarts us, which is the right outcome.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly SystemdNotifierOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private ITimer? _watchdog;
    private Func<bool>? _isAlive;
    private bool _disposed;

    public SystemdNotifier(SystemdNotifierOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>From the variables systemd sets for the service's main process.</summary>
    public static SystemdNotifier FromEnvironment(TimeProvider time) =>
        new(SystemdNotifierOptions.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId), time);

    /// <summary>True when started by a service manager that listens (<c>$NOTIFY_SOCKET</c> set).</summary>
    public bool IsEnabled => _options.NotifySocket is not null;

    /// <summary>The ping interval (half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) advises), or null when no watchdog is ours.</summary>
    public TimeSpan? WatchdogInterval => IsEnabled && _options.Watchdog is { } w ? w / 2 : null;

    /// <summary>Start-up is complete (config read, sockets open, first probe round under way): <c>READY=1</c>.</summary>
    public bool Ready(string? status = null) => Send(WithStatus("READY=1", status));

    /// <summary>A one-line state for <c>systemctl status</c>.</summary>
    public bool Status(string status) => Send(WithStatus(null, status));

    /// <summary>A stop has begun (SIGTERM): <c>STOPPING=1</c>, so the manager waits instead of calling the exit a crash.</summary>
    public bool Stopping(string? status = null) => Send(WithStatus("STOPPING=1", status));

    /// <summary>
    /// A reload (SIGHUP) has begun: <c>RELOADING=1</c> with the CLOCK_MONOTONIC time in µs, which
    /// Type=notify-reload requires. Call <see cref="Ready"/> again once the new configuration is in force.
    /// </summary>
    public bool Reloading(string? status = null)
    {
        var usec = (ulong)(_time.GetTimestamp() / (double)_time.TimestampFrequency * 1_000_000);
        return Send(WithStatus($"RELOADING=1\nMONOTONIC_USEC={usec.ToString(CultureInfo.InvariantCulture)}", status));
    }

    /// <summary>
    /// Pings <c>WATCHDOG=1</c> every <see cref="WatchdogInterval"/>, but only when <paramref name="isAlive"/>
    /// says the agent is making progress: a hung watcher misses its pings and systemd restarts it.
    /// Does nothing when the manager set no watchdog for this process. Returns whether it started.
    /// </summary>
    public bool StartWatchdog(Func<bool> isAlive)
    {
        ArgumentNullException.ThrowIfNull(isAlive);
        if (WatchdogInterval is not { } interval)
        {
            return false;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _isAlive = isAlive;
            _watchdog ??= _time.CreateTimer(static s => ((SystemdNotifier)s!).WatchdogTick(), this, interval, interval);
        }

        return true;
    }

    private void WatchdogTick()
    {
        bool alive;
        try
        {
            alive = _isAlive?.Invoke() ?? false;
        }
#pragma warning disable CA1031 // A throwing liveness check means "not alive"; the timer thread must survive.
        catch (Exception)
#pragma warning restore CA1031
        {
            alive = false;
        }

        if (alive)
        {
            Send("WATCHDOG=1");
        }
    }

    private static string WithStatus(string? head, string? status)
    {
        var line = status is null ? null : "STATUS=" + status.ReplaceLineEndings(" ");
        return head is null ? line! : line is null ? head : head + "\n" + line;
    }

    /// <summary>Sends one notification; false when there is no manager or the send failed.</summary>
    public bool Send(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_options.NotifySocket is not { } path)
        {
            return false;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
                return _socket.SendTo(Encoding.UTF8.GetBytes(message), endpoint) > 0;
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException or IOException)
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _watchdog?.Dispose();
            _watchdog = null;
            _socket?.Dispose();
            _socket = null;
        }
    }
}
