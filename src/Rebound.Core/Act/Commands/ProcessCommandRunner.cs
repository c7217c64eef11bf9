using System.Diagnostics;

namespace Rebound.Act.Commands;

/// <summary>Runs a configured command (a restart rung: WireGuard, tailscaled) to completion.</summary>
public interface ICommandRunner
{
    /// <summary>
    /// The exit code and the first line of stderr. A program that cannot start is an <see cref="IOException"/>;
    /// one that runs out of time is killed with its children and is a <see cref="CommandTimeoutException"/>.
    /// </summary>
    ValueTask<(int ExitCode, string FirstErrorLine)> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Starts the program directly (no shell), with a timeout on <paramref name="timeProvider"/>.</summary>
public sealed class ProcessCommandRunner(TimeProvider? timeProvider = null) : ICommandRunner
{
    public async ValueTask<(int ExitCode, string FirstErrorLine)> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1))
            start.ArgumentList.Add(a);
        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new IOException($"cannot run {argv[0]}: {ex.Message}", ex);
        }

        using (process)
        {
            if (process is null)
                throw new IOException($"cannot run {argv[0]}");
            // Killed inside the caller's Cancel() (SIGTERM), not in a continuation that may never run once the agent exits.
            using var killOnCancel = cancellationToken.Register(() => KillQuietly(process));
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var expiry = new CancellationTokenSource(timeout, timeProvider ?? TimeProvider.System);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                KillQuietly(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new CommandTimeoutException($"{argv[0]} did not finish within {timeout.TotalSeconds:0.#} s");
            }

            await stdout.ConfigureAwait(false);
            var error = (await stderr.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
            return (process.ExitCode, error);
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already exited.
        }
    }
}

/// <summary>A command ran out of its time and was killed.</summary>
public sealed class CommandTimeoutException : IOException
{
    public CommandTimeoutException()
    {
    }

    public CommandTimeoutException(string message)
        : base(message)
    {
    }

    public CommandTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
