namespace Rebound.Act.Notify;

/// <summary>
/// A notification was not delivered. <see cref="Exception.Message"/> is safe to journal: it never holds the URL, a
/// token or the service's answer body. <see cref="Transient"/>: worth trying again (no answer, 5xx, 429);
/// <see cref="RetryAfter"/>: the service said when (429).
/// </summary>
public sealed class NotifyException : Exception
{
    public NotifyException()
    {
    }

    public NotifyException(string message)
        : base(message)
    {
    }

    public NotifyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotifyException(string message, bool transient, TimeSpan? retryAfter = null, int? status = null)
        : base(message)
    {
        Transient = transient;
        RetryAfter = retryAfter;
        Status = status;
    }

    public bool Transient { get; }

    public TimeSpan? RetryAfter { get; }

    public int? Status { get; }
}
