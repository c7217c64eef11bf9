using Rebound.Act.Commands;

namespace Rebound.Act.Heal;

/// <summary>A target's configured <c>restart_command</c> as the last rung: one place that says how its outcome reads.</summary>
public static class RestartCommandStep
{
    /// <summary>The step's detail when the command exited 0; a failed step (its first error line) otherwise.</summary>
    public static async ValueTask<string> RunAsync(ICommandRunner commands, IReadOnlyList<string> argv, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(argv);
        CommandResult result;
        try
        {
            result = await commands.RunAsync(new CommandRequest(argv, timeout), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new HealActionException(ex.Message, ex);
        }

        if (result.ExitCode != 0)
            throw new HealActionException($"{string.Join(' ', argv)} exited {result.ExitCode}: {result.FirstErrorLine}");
        return $"ran {string.Join(' ', argv)}";
    }
}
