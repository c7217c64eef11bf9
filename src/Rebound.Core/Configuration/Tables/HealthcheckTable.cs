namespace Rebound.Configuration;

/// <summary><c>[healthcheck]</c>: a dead man's switch (Healthchecks.io and compatible) pinged while the watcher works.</summary>
public sealed class HealthcheckTable : ConfigTable
{
    public static readonly HealthcheckTable Instance = new();

    public SecretKey Url { get; } = new(
        "url",
        "The check's ping URL (https://hc-ping.com/UUID); '/fail' is appended while the upstream is lost or a heal failed",
        "/etc/rebound/healthcheck.url")
    {
        Required = true,
    };

    public DurationKey Interval { get; } = new("interval", "Ping this often while the watcher makes progress (set the check's period to match)")
    {
        Default = HealthcheckConfig.DefaultInterval,
        Max = TimeSpan.FromDays(1),
    };

    public DurationKey Timeout { get; } = new("timeout", "A ping not answered in this long has failed")
    {
        Default = HealthcheckConfig.DefaultTimeout,
        Max = TimeSpan.FromMinutes(1),
    };

    public override string Name => "healthcheck";

    public override string Description =>
        "Pings a Healthchecks-style URL while the watcher makes progress, so a dead agent or host is noticed from outside; "
        + "<url>/fail while the upstream is lost or a heal failed, the plain URL again after recovery.";

    public override IReadOnlyList<ConfigKey> Keys => [Url, Interval, Timeout];

    internal static string Describe(HealthcheckConfig check) =>
        $"{check.Label}: every {ConfigDuration.Format(check.Interval)} while the watcher makes progress";
}
