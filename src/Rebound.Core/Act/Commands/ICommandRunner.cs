namespace Rebound.Act.Commands;

/// <summary>
/// Runs a program to completion: restart commands, hooks, wg, conntrack. The one way this agent starts processes,
/// so that every one of them is bounded in time and output and leaves nothing running behind it.
/// </summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="request"/> and returns its exit code and output.</summary>
    /// <exception cref="CommandStartException">The program could not be started.</exception>
    /// <exception cref="CommandTimeoutException">It ran out of time; it was killed with its whole process group.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; it was killed with its whole process group before the cancelling call returned.</exception>
    ValueTask<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken);
}
