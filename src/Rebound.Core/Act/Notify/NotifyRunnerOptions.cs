namespace Rebound.Act.Notify;

public sealed class NotifyRunnerOptions
{
    /// <summary>Windows, retries and timeouts are measured on it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>For the HTTP services; null: one owned by the runner (no cookies, no redirects).</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Lines a digest lists; the rest are counted ("… and 12 more").</summary>
    public int MaxLines { get; init; } = 20;

    /// <summary>Events kept per entry while it cannot deliver; older ones beyond this are dropped (and counted).</summary>
    public int MaxPending { get; init; } = 1000;

    /// <summary>Tries of one message before it is dropped (a 4xx other than 429 is never tried again).</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Names the machine in titles: "rebound@gw: upstream-lost".</summary>
    public string Host { get; init; } = Environment.MachineName;
}
