namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    private List<HookConfig> ReadHooks(ConfigSection top)
    {
        var hooks = new List<HookConfig>();
        var tables = top.TableArray(HookTable.Instance.Name) ?? [];
        for (int i = 0; i < tables.Count; i++)
        {
            if (ReadHook(new ConfigSection(this, tables[i], $"hook[{i}]"), i) is { } hook)
                hooks.Add(hook);
        }

        return hooks;
    }

    private HookConfig? ReadHook(ConfigSection s, int index)
    {
        var table = HookTable.Instance;
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

        var command = table.Command.Read(s);
        var url = table.Url.Read(s);
        bool hasCommand = s.Node(table.Command.Name) is not null;
        bool hasUrl = s.Node(table.Url.Name) is not null;
        if (hasCommand == hasUrl)
        {
            Problem(hasCommand ? s.Node("url")! : s.Table, s.Key(hasCommand ? "url" : "command"),
                hasCommand ? "either command or url, not both" : "command = [\"/path/to/program\", ...] or url = \"https://...\" (missing)");
        }

        var timeout = table.Timeout.Read(s)!.Value;
        s.RejectUnknown(table.Keys);
        if (Problems.Count > startProblems || events.Count == 0)
            return null;
        return new HookConfig(index, s.Table.Line, events, command, url, timeout);
    }
}
