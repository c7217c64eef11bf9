namespace Rebound.Configuration;

/// <summary>
/// <c>[[hook]]</c>: a command (argv, no shell) or a webhook (POST, JSON) run on chosen events. Read by
/// <c>ConfigReader.ReadHooks</c>; this is its declaration.
/// </summary>
public sealed class HookTable : ConfigTable
{
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    // Last: the static field above is needed by the instance.
    public static readonly HookTable Instance = new();

    public CustomKey Events { get; } = new("events", "The events that run this hook (the JSON 'event' names), or [\"*\"] for all", "an array of event names")
    {
        Required = true,
        Example = ConfigKey.Toml(["public-address-changed", "heal-failed"]),
    };

    public CommandKey Command { get; } = new(
        "command",
        "Run this with the event JSON on stdin and REBOUND_EVENT, REBOUND_TARGET, REBOUND_<FIELD> in the environment (or url)",
        ["/usr/local/bin/rebound-notify"]);

    public UrlKey Url { get; } = new("url", "POST the event JSON here instead (or command); user:password@ in it is sent as basic auth")
    {
        AllowUserInfo = true,
        Expected = "an http:// or https:// URL to POST the event JSON to",
        Example = ConfigKey.Toml("https://hooks.example.net/rebound"),
    };

    public DurationKey Timeout { get; } = new("timeout", "A command is killed (with its children), a request abandoned, after this long")
    {
        Default = HookConfig.DefaultTimeout,
        Max = MaxTimeout,
    };

    public override string Name => "hook";

    public override bool Many => true;

    public override string Description =>
        "Commands (argv, no shell) or webhooks (POST, JSON) run on chosen events, each with a timeout. The service's file "
        + "system is read-only except /var/lib/rebound and /run/rebound: add ReadWritePaths= in 'systemctl edit rebound' "
        + "if a hook must write elsewhere.";

    public override IReadOnlyList<ConfigKey> Keys => [Events, Command, Url, Timeout];

    internal static string Describe(HookConfig hook) =>
        $"{hook.Label} line {hook.Line}: on {string.Join(", ", hook.Events)}; timeout {ConfigDuration.Format(hook.Timeout)}";
}
