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
        var events = ReadEventNames(s);

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
