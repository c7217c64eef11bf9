namespace Rebound.Act.Ddns.Engine;

public sealed class DdnsEngineOptions
{
    /// <summary>Where the per-record cache (last address sent successfully, and when) is kept; null: memory only.</summary>
    public string? CachePath { get; init; }

    /// <summary>How often the verifier is asked while waiting for the new address to be served.</summary>
    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long after sending the verifier is asked before the update counts as not published.</summary>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay after a RetryLater that gave none; doubled on each further failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Cap of the doubled backoff (a provider's own longer RetryAfter is still honoured).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often records the cache calls current are compared with what the server really holds (through the
    /// target's verifier: verify_server, the RFC 2136 primary, or the provider's API); the first check runs at start,
    /// so also after every reload. A difference is corrected at once (<see cref="DdnsUpdated.Drift"/>).
    /// </summary>
    public TimeSpan DriftCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    internal void Validate()
    {
        if (DriftCheckInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DriftCheckInterval), "must be positive");
        if (VerifyInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(VerifyInterval), "must be positive");
        if (VerifyTimeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(VerifyTimeout), "must not be negative");
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), "backoff must be positive and at most MaxBackoff");
    }
}
