namespace Rebound.Act.Commands;

/// <summary>A command ran out of its time and was killed with its process group.</summary>
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
