namespace Rebound.Act.Commands;

/// <summary>A program could not be started (not found, not executable, no resources); the message is one line.</summary>
public sealed class CommandStartException : IOException
{
    public CommandStartException()
    {
    }

    public CommandStartException(string message)
        : base(message)
    {
    }

    public CommandStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>"cannot run PROGRAM: REASON".</summary>
    public CommandStartException(string program, string reason, Exception? innerException = null)
        : base($"cannot run {program}: {reason}", innerException)
    {
        Reason = reason;
    }

    /// <summary>Why, without the program's name (e.g. "No such file or directory").</summary>
    public string Reason { get; } = "";
}
