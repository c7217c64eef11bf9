using System.Net;
using Microsoft.Win32.SafeHandles;
using System.Net.Sockets;
using Rebound.Cli.Commands;
using Rebound.Sense.Netlink;
using Rebound.Sense.RouterHints;
using Rebound.Decide;
using Rebound.Sense;
using Rebound.Sense.Sources;
using Rebound.Sense.Stun;

namespace Rebound.Cli;

/// <summary>Wires real sensors to the watcher; tests substitute the factories.</summary>
internal static class Runtime
{
    public static CliServices Real() =>
        new(CreateProber, CreateWatcher, StunTargetResolver.ResolveAsync, OpenStdout(), OpenStderr(), ct => StdoutReader.WhenGoneAsync(TimeProvider.System, ct));

    private static TextWriter OpenStderr()
    {
        try
        {
            return Console.Error;
        }
        catch (IOException)
        {
            return TextWriter.Null; // started with stderr closed: errors still set the exit code
        }
    }

    /// <summary>
    /// fd 1 as a plain unbuffered stream. The console stream swallows EPIPE, which would leave
    /// `rebound watch --json | head -1` probing forever; this one reports it as an IOException.
    /// </summary>
    private static Stream OpenStdout()
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!stream.CanSeek)
            {
                return stream;
            }

            // A regular file: FileStream would write at its own position, clobbering what a shared
            // descriptor (2>&1, >>) wrote meanwhile. Files raise no EPIPE, so the console stream is right.
            stream.Dispose();
            return Console.OpenStandardOutput();
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // stdout closed or not writable: fall back to the console stream, which tolerates that.
            return Console.OpenStandardOutput();
        }
    }

    public static IStunProber CreateProber(TimeSpan timeout) =>
        new StunProber(new StunProberOptions { Timeout = timeout }, TimeProvider.System);

    /// <summary>
    /// The watcher with every sensor that can be opened here. A sensor that cannot (no netlink in a
    /// container, port 5350 taken) costs only its early warning: STUN alone still detects every change.
    /// </summary>
    public static async Task<WanWatcherRuntime> CreateWatcher(WatchSettings settings, CancellationToken ct)
    {
        var warnings = new List<string>();
        var owned = new List<IAsyncDisposable>();
        LocalNetworkMonitor? monitor = new();
        try
        {
            await monitor.StartAsync(ct);
            owned.Add(monitor);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            warnings.Add($"local network monitor unavailable ({ex.Message}); relying on STUN alone");
            await monitor.DisposeAsync();
            monitor = null;
        }

        RouterAnnouncementListener? hints = new();
        if (hints.Start(() => TrustedGateways(monitor), out var problem))
        {
            owned.Add(hints);
        }
        else
        {
            warnings.Add(problem!);
            await hints.DisposeAsync();
            hints = null;
        }

        var prober = CreateProber(settings.ProbeTimeout);
        if (settings.OnProbe is { } onProbe)
        {
            prober = new ObservedStunProber(prober, onProbe);
        }

        var watcher = new WanWatcher(settings.Options, prober, TimeProvider.System, monitor, hints);
        return new WanWatcherRuntime(watcher, warnings, [.. owned]) { LocalNetwork = monitor };
    }

    /// <summary>The IPv4 default gateway from /proc/net/route (the one-shot commands have no netlink monitor), or null.</summary>
    internal static IPAddress? ProcDefaultGateway()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
            {
                var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 2 && f[1] == "00000000" && uint.TryParse(f[2], System.Globalization.NumberStyles.HexNumber, null, out var gw) && gw != 0)
                {
                    return new IPAddress(gw); // little-endian in the file, as IPAddress(long) expects on x86/arm
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Router announcements are believed only from a current IPv4 default gateway.</summary>
    private static IReadOnlyCollection<IPAddress> TrustedGateways(LocalNetworkMonitor? monitor) =>
        monitor is null
            ? []
            : [.. monitor.Current.DefaultRoutes.Where(r => r.Gateway is { AddressFamily: AddressFamily.InterNetwork }).Select(r => r.Gateway!)];
}

/// <summary>What the commands need from the outside world.</summary>
internal sealed record CliServices(
    Func<TimeSpan, IStunProber> CreateProber,
    Func<WatchSettings, CancellationToken, Task<WanWatcherRuntime>> CreateWatcher,
    Func<StunTarget, CancellationToken, Task<(StunServer? Server, string? Error)>> Resolve,
    Stream Stdout,
    TextWriter Stderr,
    Func<CancellationToken, Task> StdoutReaderGone)
{
    /// <summary>An HTTP, DNS or gateway source for the one-shot commands (STUN goes through the prober).</summary>
    public Func<AddressSourceSpec, IAddressSource> CreateSource { get; init; } =
        spec => AddressSources.Create(spec, TimeProvider.System, Runtime.ProcDefaultGateway);
}
