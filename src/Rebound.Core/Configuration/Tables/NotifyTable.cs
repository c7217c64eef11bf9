using Rebound.Act.Notify;

namespace Rebound.Configuration;

/// <summary><c>[[notify]]</c>: a shoutrrr-style URL (a secret: it carries the token) and the events it is told about.</summary>
public sealed class NotifyTable : ConfigTable
{
    private static readonly TimeSpan MaxWindow = TimeSpan.FromHours(24);

    public static readonly NotifyTable Instance = new();

    public CustomKey Events { get; } = new("events", "The events that send a message (the JSON 'event' names), or [\"*\"] for all", "an array of event names")
    {
        Required = true,
        Example = ConfigKey.Toml(["upstream-lost", "upstream-restored", "heal-failed", "ddns-failed"]),
    };

    public SecretKey Url { get; } = new(
        "url",
        $"Where to send: {string.Join(", ", NotifyServices.All.Select(s => s.Scheme + "://"))} (shoutrrr's URL forms; see the README)",
        "/etc/rebound/notify.url")
    {
        Required = true,
    };

    public DurationKey Window { get; } = new("window", "The first event is sent at once; later ones wait and go as one message at most once per window")
    {
        Default = NotifyConfig.DefaultWindow,
        Max = MaxWindow,
    };

    public DurationKey Timeout { get; } = new("timeout", "A delivery not done in this long has failed (and is tried again next window)")
    {
        Default = NotifyConfig.DefaultTimeout,
        Max = TimeSpan.FromMinutes(5),
    };

    public override string Name => "notify";

    public override bool Many => true;

    public override string Description =>
        "Short human messages for chosen events over ntfy, Gotify, Telegram, Discord, Slack, e-mail (SMTP) or any webhook, "
        + "rate-limited: bursts become one digest. A failed delivery is journaled as notify-failed, without the URL.";

    public override IReadOnlyList<ConfigKey> Keys => [Events, Url, Window, Timeout];

    internal static string Describe(NotifyConfig notify) =>
        $"{notify.Label} line {notify.Line}: on {string.Join(", ", notify.Events)}; at most one message per {ConfigDuration.Format(notify.Window)}";
}
