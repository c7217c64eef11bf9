namespace Rebound.Act.Ddns.Http;

/// <summary>
/// What every HTTP provider's options have: the request timeout and the waits after answers that are not the API's
/// own (no answer, 5xx, 429). A provider's options add its endpoint and credentials. ToString never shows a secret.
/// </summary>
public abstract class DdnsHttpOptions
{
    /// <summary>Total time one request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after a network failure, a 5xx or an answer we do not understand.</summary>
    public TimeSpan TransientRetry { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The entry's <c>ttl</c>: the TTL written (a record holding another is rewritten); null: the record's own, else the provider's default.</summary>
    public int? Ttl { get; init; }

    /// <summary>The configured secrets, redacted from every message.</summary>
    internal abstract IReadOnlyList<string> Secrets { get; }

    /// <summary>Wait after a 429 without Retry-After.</summary>
    internal virtual TimeSpan RateLimitWait => TransientRetry;

    /// <summary>No retry comes sooner than this (a provider that allows one update a minute says so).</summary>
    internal virtual TimeSpan MinimumWait => TimeSpan.Zero;

    internal virtual void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TransientRetry, TimeSpan.Zero, nameof(TransientRetry));
        if (Ttl is { } ttl)
            ArgumentOutOfRangeException.ThrowIfNegative(ttl, nameof(Ttl));
        foreach (var secret in Secrets)
            ArgumentException.ThrowIfNullOrEmpty(secret, nameof(Secrets));
    }
}
