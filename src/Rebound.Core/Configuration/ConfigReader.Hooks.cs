namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    // A property, not a field: KnownWords (in another part of this partial class) reads it during static initialisation.
    private static string[] HookKeys => ["events", "command", "url", "timeout"];

    private static readonly TimeSpan MaxHookTimeout = TimeSpan.FromMinutes(10);

    private List<HookConfig> ReadHooks(Section top)
    {
        var hooks = new List<HookConfig>();
        var node = top.Node("hook");
        top.MarkUsed("hook");
        if (node is null)
            return hooks;
        if (node is not TomlArrayNode { } array || array.Items.Any(item => item is not TomlTableNode))
        {
            Problem(node, "hook", $"[[hook]] tables, found {node.Describe()}");
            return hooks;
        }

        for (int i = 0; i < array.Items.Count; i++)
        {
            if (ReadHook(new Section(this, (TomlTableNode)array.Items[i], $"hook[{i}]"), i) is { } hook)
                hooks.Add(hook);
        }

        return hooks;
    }

    private HookConfig? ReadHook(Section s, int index)
    {
        var startProblems = Problems.Count;
        const string eventsExpected = "a non-empty array of event names like [\"public-address-changed\", \"heal-failed\"] or [\"*\"]";
        var events = new List<string>();
        if (s.Strings("events", eventsExpected) is { } items)
        {
            foreach (var (text, item) in items)
            {
                if (text != HookConfig.AllEvents && Record.EventCatalogue.Find(text) is null)
                {
                    Problem(item, s.Key("events"), $"event names from {string.Join(", ", Record.EventCatalogue.Names)}, or \"*\"; found {Clip(text)}");
                    continue;
                }

                if (!events.Contains(text))
                    events.Add(text);
            }
        }
        else if (s.Node("events") is null)
        {
            Problem(s.Table, s.Key("events"), $"{eventsExpected} (missing)");
        }

        List<string>? command = null;
        if (s.Strings("command", "a non-empty array: the program's absolute path, then its arguments (no shell)") is { } argv)
        {
            var program = argv[0].Text;
            if (!Path.IsPathRooted(program))
                Problem(argv[0].Node, s.Key("command"), $"the program's absolute path first (no shell, no PATH lookup), found {Clip(program)}");
            else if (argv.Any(a => a.Text.Contains('\0', StringComparison.Ordinal)))
                Problem(s.Node("command")!, s.Key("command"), "arguments without NUL characters");
            else
                command = [.. argv.Select(a => a.Text)];
        }

        Uri? url = null;
        if (s.String("url", "an http:// or https:// URL to POST the event JSON to") is { } urlText)
        {
            // Never quote the URL back: it may carry credentials.
            if (Uri.TryCreate(urlText, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https" && parsed.Host.Length > 0)
                url = parsed;
            else
                Problem(s.Node("url")!, s.Key("url"), "an http:// or https:// URL to POST the event JSON to");
        }

        bool hasCommand = s.Node("command") is not null;
        bool hasUrl = s.Node("url") is not null;
        if (hasCommand == hasUrl)
        {
            Problem(hasCommand ? s.Node("url")! : s.Table, s.Key(hasCommand ? "url" : "command"),
                hasCommand ? "either command or url, not both" : "command = [\"/path/to/program\", ...] or url = \"https://...\" (missing)");
        }

        var timeout = s.Duration("timeout", allowZero: false, max: MaxHookTimeout) ?? HookConfig.DefaultTimeout;
        s.RejectUnknown(HookKeys);
        if (Problems.Count > startProblems || events.Count == 0)
            return null;
        return new HookConfig(index, s.Table.Line, events, command, url, timeout);
    }
}
