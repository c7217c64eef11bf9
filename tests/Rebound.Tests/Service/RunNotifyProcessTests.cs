using System.Diagnostics;
using System.Globalization;

namespace Rebound.Tests.Service;

/// <summary>
/// <c>rebound run</c> as systemd starts it (Type=notify, WatchdogSec): a real process talking to a notify
/// socket that stands in for systemd's. READY=1 after the first round, WATCHDOG=1 at half the interval,
/// RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM.
/// </summary>
public sealed class RunNotifyProcessTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("rebound-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_notifies_ready_watchdog_reloading_and_stopping()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Path.Combine(_dir, "rebound.toml");
        // 127.0.0.1:9 never answers: rounds still complete (as timeouts), which is what keeps the watchdog fed.
        await File.WriteAllTextAsync(config, $"""
            [watch]
            servers = ["127.0.0.1:9"]
            interval = "1s"
            timeout = "200ms"

            [state]
            directory = "{_dir}/state"

            [http]
            listen = "off"
            """, ct);
        using var systemd = NotifySocketListener.InTempDirectory();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "rebound.dll"), "run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NOTIFY_SOCKET"] = systemd.NotifySocketValue;
        start.Environment["WATCHDOG_USEC"] = "2000000";
        using var p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            Assert.StartsWith("READY=1", await systemd.WaitForAsync(m => m.StartsWith("READY=1", StringComparison.Ordinal), Wait), StringComparison.Ordinal);
            await systemd.WaitForAsync(m => m == "WATCHDOG=1", Wait);

            Signal(p, "HUP");
            var reloading = await systemd.WaitForAsync(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal), Wait);
            Assert.Contains("MONOTONIC_USEC=", reloading, StringComparison.Ordinal);
            // READY=1 again once the reloaded session has its first round.
            await systemd.WaitForAsync(_ => systemd.Messages.Count(m => m.StartsWith("READY=1", StringComparison.Ordinal)) >= 2, Wait);

            Signal(p, "TERM");
            await systemd.WaitForAsync(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal), Wait);
            await p.WaitForExitAsync(ct).WaitAsync(Wait, ct);
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }

    private static void Signal(Process p, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", p.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }
}
