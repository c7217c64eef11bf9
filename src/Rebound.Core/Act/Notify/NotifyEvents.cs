using Rebound.Record;

namespace Rebound.Act.Notify;

/// <summary>
/// A notification or healthcheck ping was not delivered. <paramref name="Label"/> names it without secrets
/// (<c>notify[0] (telegram (https://api.telegram.org/…))</c>); <paramref name="Error"/> is the status or the
/// failing step, never the service's answer or the URL; <paramref name="Events"/> how many events the message
/// carried (0 for a ping); <paramref name="RetryInMs"/> when it is tried again (null: dropped).
/// </summary>
public sealed record NotifyFailed(DateTimeOffset Time, string Label, string Service, string Error, int Events, long? RetryInMs)
    : ReboundEvent(Time);
