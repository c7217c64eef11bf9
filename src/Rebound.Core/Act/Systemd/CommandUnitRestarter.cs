using System.Diagnostics;

namespace Rebound.Act.Systemd;

/// <summary>Restarts a service by running a configured command (argv, no shell), for hosts without systemd.</summary>
public sealed class CommandUnitRestarter(IReadOnlyList<string> command, TimeSpan timeout, TimeProvider timeProvider) : IUnitRestarter
{
    public async ValueTask<string> RestartAsync(string unit, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
            throw new UnitRestartException("restart command is empty");
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
            start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new UnitRestartException($"cannot run {command[0]}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new UnitRestartException($"cannot run {command[0]}: {ex.Message}", ex);
        }

        using (process)
        {
            using var expiry = new CancellationTokenSource(timeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
            // Killed inside the caller's Cancel(), not in a continuation that may never run once the agent exits.
            using var killOnCancel = cancellationToken.Register(() => KillQuietly(process));
            var stderr = process.StandardError.ReadToEndAsync(linked.Token);
            _ = process.StandardOutput.ReadToEndAsync(linked.Token);
            try
            {
                await process.WaitForExitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (cancellationToken.IsCancellationRequested)
                    throw;
                throw new UnitRestartException($"restart command {command[0]} did not finish within {timeout.TotalSeconds:0.#} s");
            }

            if (process.ExitCode != 0)
            {
                var firstLine = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
                throw new UnitRestartException($"restart command {command[0]} exited with {process.ExitCode}{(firstLine.Length > 0 ? ": " + firstLine : "")}");
            }

            return $"{unit} restarted by {command[0]}";
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
