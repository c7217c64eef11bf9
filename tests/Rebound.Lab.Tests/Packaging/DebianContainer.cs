using System.Diagnostics;
using System.Text;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>
/// A Debian 12 with a real systemd 252, booted with <c>systemd-nspawn --boot --private-network</c> from the
/// cached debootstrap tree (debian-root.sh) under an overlay, so every container starts from the same clean
/// tree and leaves it untouched. Inside, only <c>lo</c> exists. Commands run in all of its namespaces
/// (<c>nsenter -a</c>) with a clean environment; <see cref="HostPath"/> reaches its files from outside.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DebianContainer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _temp;
    private readonly Process _nspawn;
    private readonly StringBuilder _console;
    private readonly List<Process> _helpers = [];

    private DebianContainer(string temp, Process nspawn, StringBuilder console, int initPid)
    {
        _temp = temp;
        _nspawn = nspawn;
        _console = console;
        InitPid = initPid;
    }

    /// <summary>The container's systemd (PID 1 inside), as the host sees it.</summary>
    public int InitPid { get; }

    /// <summary>The container's root as a host path (the overlay's merged tree).</summary>
    public string Root => Path.Combine(_temp, "merged");

    /// <summary>What the container printed on its console (boot messages), for failure reports.</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    public string HostPath(string inside) => Root + inside;

    /// <summary>The cached tree: made by debian-root.sh on first use (about a minute), reused afterwards.</summary>
    public static async Task<string> CachedRootAsync(CancellationToken ct)
    {
        var script = Path.Combine(LabEnvironment.RepoRoot, "tests", "Rebound.Lab.Tests", "Packaging", "debian-root.sh");
        var r = await ProcessRunner.RunAsync("bash", [script], TimeSpan.FromMinutes(10), ct);
        return r.EnsureSuccess().Stdout.Trim();
    }

    public static async Task<DebianContainer> BootAsync(CancellationToken ct)
    {
        var lower = await CachedRootAsync(ct);
        var temp = Directory.CreateTempSubdirectory("rebound-nspawn-").FullName;
        foreach (var dir in new[] { "upper", "work", "merged" })
        {
            Directory.CreateDirectory(Path.Combine(temp, dir));
        }

        var merged = Path.Combine(temp, "merged");
        (await ProcessRunner.RunAsync(
            "mount", ["-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={temp}/upper,workdir={temp}/work", merged], CommandTimeout, ct)).EnsureSuccess();

        var psi = new ProcessStartInfo("systemd-nspawn")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--quiet", "--directory", merged, "--boot", "--private-network", "--register=no", "--keep-unit",
                     "--console=read-only", "--machine", "rebound-" + Guid.NewGuid().ToString("N")[..8],
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var console = new StringBuilder();
        var nspawn = Process.Start(psi) ?? throw new InvalidOperationException("could not start systemd-nspawn");
        void Keep(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (console)
                {
                    console.AppendLine(e.Data);
                }
            }
        }

        nspawn.OutputDataReceived += Keep;
        nspawn.ErrorDataReceived += Keep;
        nspawn.BeginOutputReadLine();
        nspawn.BeginErrorReadLine();

        DebianContainer? container = null;
        try
        {
            var init = await WaitForInitAsync(nspawn, ct);
            container = new DebianContainer(temp, nspawn, console, init);
            // Boot is done when systemd says so ("degraded" is fine: some units need hardware a container lacks).
            // Until systemd runs and has opened its socket, systemctl says "offline" or "Failed to connect to bus".
            var state = await container.ExecAsync(["systemctl", "is-system-running", "--wait"], ct);
            for (var tries = 0; (state.Stdout.Trim() == "offline" || state.Stderr.Contains("Failed to connect", StringComparison.Ordinal)) && tries < 300; tries++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, ct);
                state = await container.ExecAsync(["systemctl", "is-system-running", "--wait"], ct);
            }

            if (state.Stdout.Trim() is not ("running" or "degraded"))
            {
                throw new InvalidOperationException($"the container did not boot: {state.Stdout}{state.Stderr}\n{container.Console}");
            }

            return container;
        }
        catch
        {
            if (container is not null)
            {
                await container.DisposeAsync();
            }
            else
            {
                nspawn.Kill(entireProcessTree: true);
                await ProcessRunner.RunAsync("umount", ["-l", merged], CommandTimeout, CancellationToken.None);
                Directory.Delete(temp, recursive: true);
            }

            throw;
        }
    }

    /// <summary>The container's init is nspawn's child; it appears once nspawn has set up the namespaces.</summary>
    private static async Task<int> WaitForInitAsync(Process nspawn, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30))
        {
            if (nspawn.HasExited)
            {
                throw new InvalidOperationException($"systemd-nspawn exited with {nspawn.ExitCode}");
            }

            var children = $"/proc/{nspawn.Id}/task/{nspawn.Id}/children";
            var text = File.Exists(children) ? await File.ReadAllTextAsync(children, ct) : "";
            foreach (var pid in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var comm = await File.ReadAllTextAsync($"/proc/{pid}/comm", ct);
                if (comm.Trim() == "systemd")
                {
                    return int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, ct);
        }

        throw new TimeoutException("the container's systemd did not appear within 30 s");
    }

    /// <summary>Runs a command inside the container (all its namespaces, a clean environment).</summary>
    public Task<CommandResult> ExecAsync(IEnumerable<string> command, CancellationToken ct, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(
            "nsenter", ["-t", InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", .. command],
            timeout ?? CommandTimeout, ct);

    /// <summary>Runs a command inside the container and returns its stdout; a non-zero exit fails the test.</summary>
    public async Task<string> RunAsync(CancellationToken ct, params string[] command) =>
        (await ExecAsync(command, ct)).EnsureSuccess().Stdout;

    /// <summary>Runs a host program (e.g. curl) in the container's network namespace only; returns its stdout.</summary>
    public async Task<string> ExecInNetworkAsync(CancellationToken ct, params string[] command) =>
        (await ProcessRunner.RunAsync(
            "nsenter", ["-t", InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", .. command], CommandTimeout, ct)).EnsureSuccess().Stdout;

    /// <summary>
    /// Starts a host program inside the container's network namespace only (it sees the container's
    /// <c>lo</c>, but the host's files): how the tests serve STUN on the container's loopback.
    /// </summary>
    public Process StartInNetwork(string program, params string[] args)
    {
        var psi = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-t", InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", program }.Concat(args))
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _helpers.Add(process);
        return process;
    }

    /// <summary>A unit property, e.g. <c>MainPID</c>, from <c>systemctl show</c>.</summary>
    public async Task<string> PropertyAsync(string unit, string property, CancellationToken ct) =>
        (await RunAsync(ct, "systemctl", "show", "--property", property, "--value", unit)).Trim();

    public async ValueTask DisposeAsync()
    {
        foreach (var helper in _helpers)
        {
            try
            {
                helper.Kill(entireProcessTree: true);
                await helper.WaitForExitAsync(CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            helper.Dispose();
        }

        if (!_nspawn.HasExited)
        {
            try
            {
                await ExecAsync(["systemctl", "poweroff", "--no-block"], CancellationToken.None, TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // killed below
            }

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _nspawn.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                _nspawn.Kill(entireProcessTree: true);
                await _nspawn.WaitForExitAsync(CancellationToken.None);
            }
        }

        _nspawn.Dispose();
        await ProcessRunner.RunAsync("umount", [Root], CommandTimeout, CancellationToken.None);
        Directory.Delete(_temp, recursive: true);
    }
}
