using Rebound.Act.Notify;

namespace Rebound.Configuration;

/// <summary>
/// One <c>[[notify]]</c> entry: send a short message to <see cref="Endpoint"/> for every event whose kind is in
/// <see cref="Events"/> (<c>*</c>: all), at most one message per <see cref="Window"/> (the events in between come as one digest).
/// </summary>
public sealed record NotifyConfig(int Index, int Line, IReadOnlyList<string> Events, NotifyEndpoint Endpoint, TimeSpan Window, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public bool Wants(string kind) => Events.Contains(HookConfig.AllEvents) || Events.Contains(kind);

    /// <summary>"notify[0] (ntfy (https://ntfy.sh/…))": never a token.</summary>
    public string Label => $"notify[{Index}] ({Endpoint.Label})";
}

/// <summary>
/// The <c>[healthcheck]</c> table: ping <see cref="Url"/> (Healthchecks-style: <c>/fail</c> appended signals a failure)
/// every <see cref="Interval"/> while the watcher makes progress.
/// </summary>
public sealed record HealthcheckConfig(Uri Url, TimeSpan Interval, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>"healthcheck (https://hc-ping.com/…)": the check's UUID is its secret.</summary>
    public string Label => $"healthcheck ({HookConfig.SafeUrl(Url)})";
}
