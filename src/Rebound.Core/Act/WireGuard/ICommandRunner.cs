using System.Diagnostics;

namespace Rebound.Act.WireGuard;

/// <summary>Runs a configured command (the restart rung) to completion.</summary>
public interface ICommandRunner
{
    /// <summary>The exit code and the first line of stderr; a program that cannot start or run out of time is an <see cref="IOException"/>.</summary>
    ValueTask<(int ExitCode, string FirstErrorLine)> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>Starts the program directly (no shell), with a timeout.</summary>
public sealed class ProcessCommandRunner : ICommandRunner
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
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                KillQuietly(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new IOException($"{argv[0]} did not finish within {timeout.TotalSeconds:0} s");
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
