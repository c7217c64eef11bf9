using System.Diagnostics;

namespace Rebound.Tests.Fakes;

/// <summary>A real <c>dbus-daemon</c> on a socket in a temporary directory, private to one test.</summary>
internal sealed class PrivateDbusDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PrivateDbusDaemon(Process process, string directory, string address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    /// <summary>The D-Bus address clients connect to, e.g. <c>unix:path=/tmp/.../bus,guid=...</c>.</summary>
    public string Address { get; }

    public static async Task<PrivateDbusDaemon> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("rebound-dbus-").FullName;
        var start = new ProcessStartInfo("dbus-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // A minimal bus: every connection of this user may own names and call anything, and no service is
        // activated on demand (the session bus would try to start a real systemd --user for systemd1).
        var config = Path.Combine(directory, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={directory}/bus</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """);
        foreach (var argument in new[] { $"--config-file={config}", "--nofork", "--nosyslog", "--print-address=1" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dbus-daemon");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var address = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrWhiteSpace(address))
            throw new InvalidOperationException("dbus-daemon printed no address: " + await process.StandardError.ReadToEndAsync(timeout.Token));
        return new PrivateDbusDaemon(process, directory, address.Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
