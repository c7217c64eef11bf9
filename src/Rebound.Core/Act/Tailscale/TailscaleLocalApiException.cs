namespace Rebound.Act.Tailscale;

public enum TailscaleLocalApiError
{
    /// <summary>No socket, or nothing listening on it.</summary>
    NotRunning,

    /// <summary>403: the caller is neither root nor tailscaled's operator.</summary>
    PermissionDenied,

    /// <summary>An answer that is not what the LocalAPI documents.</summary>
    BadAnswer,

    /// <summary>tailscaled refused the request (4xx/5xx other than 403).</summary>
    Failed,

    TimedOut,
}

/// <summary>A LocalAPI request failed; the message is one line.</summary>
public sealed class TailscaleLocalApiException : Exception
{
    public TailscaleLocalApiException()
    {
    }

    public TailscaleLocalApiException(string message)
        : base(message)
    {
    }

    public TailscaleLocalApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TailscaleLocalApiException(TailscaleLocalApiError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public TailscaleLocalApiError Error { get; } = TailscaleLocalApiError.Failed;
}
