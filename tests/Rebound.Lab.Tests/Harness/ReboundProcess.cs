using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Rebound.Lab.Tests.Harness;

/// <summary>
/// The real CLI, `rebound watch --json`, running inside the lab's LAN namespace.
/// Events are read from stdout as they arrive; stderr is kept for failure messages.
/// </summary>
public sealed class ReboundProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Channel<ReboundEvent> events = Channel.CreateUnbounded<ReboundEvent>();
    private readonly List<string> history = [];
    private readonly StringBuilder stderr = new();
    private readonly Task stdoutPump;
    private readonly Task stderrPump;

    private ReboundProcess(Process process, string command)
    {
        this.process = process;
        Command = command;
        stdoutPump = Task.Run(PumpStdoutAsync);
        stderrPump = Task.Run(PumpStderrAsync);
    }

    public string Command { get; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Default watch arguments: both lab STUN servers, 1 s interval, JSON Lines.</summary>
    public static IReadOnlyList<string> DefaultWatchArgs { get; } =
        ["watch", "--server", FailoverLab.Stun1, "--server", FailoverLab.Stun2, "--interval", "1s", "--json"];

    /// <summary>
    /// How to run the CLI: REBOUND_BIN (e.g. the AOT binary) if set, else `dotnet rebound.dll`
    /// from src/Rebound.Cli/bin/&lt;Configuration&gt;/net10.0/.
    /// </summary>
    public static IReadOnlyList<string> CliCommand()
    {
        var bin = Environment.GetEnvironmentVariable("REBOUND_BIN");
        if (!string.IsNullOrEmpty(bin))
        {
            return [bin];
        }

        var dll = Path.Combine(
            LabEnvironment.RepoRoot, "src", "Rebound.Cli", "bin", LabEnvironment.Configuration, "net10.0", "rebound.dll");
        Assert.True(File.Exists(dll), $"CLI not built: {dll} is missing");
        return ["dotnet", dll];
    }

    /// <summary>
    /// Starts `rebound watch` in the lab's LAN host; <paramref name="environment"/> adds variables (e.g.
    /// SSL_CERT_FILE = <see cref="FailoverLab.CaFile"/>, so that the agent trusts the lab's HTTPS servers).
    /// </summary>
    public static ReboundProcess StartInLan(
        FailoverLab lab, IEnumerable<string>? args = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(["ip", "netns", "exec", lab.LanNamespace, .. CliCommand(), .. args ?? DefaultWatchArgs], environment);

    /// <summary>As <see cref="StartInLan"/>, the CLI run by <paramref name="wrapper"/> (e.g. <c>prlimit --nofile=1024:1024 --</c>, which execs it).</summary>
    public static ReboundProcess StartInLanUnder(FailoverLab lab, IReadOnlyList<string> wrapper, IEnumerable<string> args) =>
        Start(["ip", "netns", "exec", lab.LanNamespace, .. wrapper, .. CliCommand(), .. args]);

    /// <summary>The process id: the CLI itself, since <c>ip netns exec</c> (and an exec'ing wrapper) replace themselves with it.</summary>
    public int Id => process.Id;

    /// <summary>Starts the CLI with <paramref name="args"/> in one of the lab's namespaces (e.g. the router's).</summary>
    public static ReboundProcess StartInNamespace(string networkNamespace, IEnumerable<string> args) =>
        Start(["ip", "netns", "exec", networkNamespace, .. CliCommand(), .. args]);

    /// <summary>Starts the CLI outside any lab (for argument validation).</summary>
    public static ReboundProcess StartHere(IEnumerable<string> args) => Start([.. CliCommand(), .. args]);

    private static ReboundProcess Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var text = string.Join(' ', command);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {text}");
        return new ReboundProcess(p, text);
    }

    /// <summary>The next event, whatever it is; fails the test if none arrives within the timeout.</summary>
    public async Task<ReboundEvent> NextEventAsync(TimeSpan timeout, string expectation, CancellationToken cancellationToken = default)
    {
        var e = await TryNextEventAsync(timeout, cancellationToken);
        if (e is null)
        {
            Assert.Fail($"expected {expectation} within {timeout.TotalSeconds} s, got nothing.\n{Diagnostics()}");
        }

        return e;
    }

    /// <summary>The next event matching, skipping others; fails the test if none arrives within the timeout.</summary>
    public async Task<ReboundEvent> WaitForAsync(
        Func<ReboundEvent, bool> match, TimeSpan timeout, string expectation, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            var e = left > TimeSpan.Zero ? await TryNextEventAsync(left, cancellationToken) : null;
            if (e is null)
            {
                Assert.Fail($"expected {expectation} within {timeout.TotalSeconds} s.\n{Diagnostics()}");
            }

            if (match(e))
            {
                return e;
            }
        }
    }

    /// <summary>Asserts that no event arrives for the given time (and that the process keeps running).</summary>
    public async Task AssertQuietAsync(TimeSpan period, string context, CancellationToken cancellationToken = default)
    {
        var e = await TryNextEventAsync(period, cancellationToken);
        if (e is not null)
        {
            Assert.Fail($"unexpected event {context}: {e.Line}\n{Diagnostics()}");
        }

        if (process.HasExited)
        {
            Assert.Fail($"rebound exited ({process.ExitCode}) {context}.\n{Diagnostics()}");
        }
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"rebound did not exit within {timeout.TotalSeconds} s.\n{Diagnostics()}");
        }

        await Task.WhenAll(stdoutPump, stderrPump);
        return process.ExitCode;
    }

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    /// <summary>Everything seen so far: command, stdout lines and stderr.</summary>
    public string Diagnostics()
    {
        string[] lines;
        lock (history)
        {
            lines = [.. history];
        }

        var exited = process.HasExited ? $"exited with {process.ExitCode}" : "still running";
        return $"command: {Command} ({exited})\nstdout:\n  {string.Join("\n  ", lines)}\nstderr:\n{Stderr}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(stdoutPump, stderrPump).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // The lab's "down" kills whatever is left in its namespaces.
        }
        finally
        {
            process.Dispose();
        }
    }

    public async Task<ReboundEvent?> TryNextEventAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var e = await events.Reader.ReadAsync(cts.Token);
            Log($"  {e.Line}");
            return e;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            // Stdout closed: the process ended. Nothing more will come; wait out the period.
            var left = timeout;
            await Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken);
            return null;
        }
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (history)
                {
                    history.Add(line);
                }

                if (line.Length == 0)
                {
                    continue;
                }

                ReboundEvent e;
                try
                {
                    e = ReboundEvent.Parse(line, DateTimeOffset.UtcNow);
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not JSON: a contract violation. Surface it as an event the tests will reject.
                    var quoted = System.Text.Json.JsonEncodedText.Encode(line).ToString();
                    e = ReboundEvent.Parse($"{{\"event\":\"NOT-JSON\",\"line\":\"{quoted}\"}}", DateTimeOffset.UtcNow);
                }

                await events.Writer.WriteAsync(e);
            }
        }
        finally
        {
            events.Writer.TryComplete();
        }
    }

    private async Task PumpStderrAsync()
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            lock (stderr)
            {
                stderr.AppendLine(line);
            }
        }
    }

    private static void Log(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);
}
