using Rebound.Act.Commands;

namespace Rebound.Act.Systemd;

/// <summary>Restarts a service by running a configured command (argv, no shell), for hosts without systemd.</summary>
public sealed class CommandUnitRestarter(IReadOnlyList<string> command, TimeSpan timeout, TimeProvider timeProvider) : IUnitRestarter
{
    private readonly ProcessCommandRunner _runner = new(timeProvider);

    public async ValueTask<string> RestartAsync(string unit, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
            throw new UnitRestartException("restart command is empty");
        CommandResult result;
        try
        {
            result = await _runner.RunAsync(new CommandRequest(command, timeout), cancellationToken);
        }
        catch (CommandTimeoutException ex)
        {
            throw new UnitRestartException($"restart command {command[0]} did not finish within {timeout.TotalSeconds:0.#} s", ex);
        }
        catch (IOException ex)
        {
            throw new UnitRestartException(ex.Message, ex);
        }

        if (result.ExitCode != 0)
        {
            throw new UnitRestartException($"restart command {command[0]} exited with {result.ExitCode}{(result.FirstErrorLine.Length > 0 ? ": " + result.FirstErrorLine : "")}");
        }

        return $"{unit} restarted by {command[0]}";
    }
}
