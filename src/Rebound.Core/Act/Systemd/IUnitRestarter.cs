namespace Rebound.Act.Systemd;

/// <summary>Restarts a service and waits until the restart has finished.</summary>
public interface IUnitRestarter
{
    /// <summary>
    /// Restarts <paramref name="unit"/> and returns one line for the journal ("tailscaled.service restarted (job 42)").
    /// Throws <see cref="UnitRestartException"/> with a one-line reason when it could not be done.
    /// </summary>
    ValueTask<string> RestartAsync(string unit, CancellationToken cancellationToken);
}

/// <summary>A unit could not be restarted; the message is one line.</summary>
public sealed class UnitRestartException : Exception
{
    public UnitRestartException()
    {
    }

    public UnitRestartException(string message)
        : base(message)
    {
    }

    public UnitRestartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
