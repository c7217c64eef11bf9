namespace Rebound.Act.Hooks;

public sealed class HookRunnerOptions
{
    /// <summary>Events waiting per hook; beyond this new events are dropped for that hook (and said once).</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>Timeouts are measured on it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>For webhooks; null: one owned by the runner (no proxy lookup beyond the defaults, no cookies).</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>The PATH command hooks get; null: the agent's own, or a standard one.</summary>
    public string? Path { get; init; }
}
