using System.Diagnostics;

namespace Rebound.Lab.Tests.Harness;

/// <summary>Result of a finished command.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public CommandResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{Command}' exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        return this;
    }
}

/// <summary>Runs short commands to completion, with a timeout.</summary>
public static class ProcessRunner
{
    public static async Task<CommandResult> RunAsync(
        string fileName, IEnumerable<string> args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var command = fileName + " " + string.Join(' ', psi.ArgumentList);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds} s");
        }

        return new CommandResult(command, process.ExitCode, await stdout, await stderr);
    }
}
