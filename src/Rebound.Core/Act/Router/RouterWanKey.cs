using Rebound.Configuration;

namespace Rebound.Act.Router;

/// <summary>
/// <c>[[router.wan]]</c>: per-WAN settings, each table an <c>interface</c> and optionally its <c>mark</c>. A mark that
/// does not parse is a problem at its line; the interface is checked as in <c>wan_interfaces</c>.
/// </summary>
public sealed class RouterWanKey() : ConfigKey("wan", "Per-WAN settings as [[router.wan]] tables: interface, and mark (the connection mark its policy routing sets, when Rebound cannot read it from the ip rules)")
{
    public const string InterfaceKey = "interface";
    public const string MarkKey = "mark";

    public override string Type => "[[router.wan]] tables with interface (required) and mark (optional)";

    public override string? DefaultText => "none";

    /// <summary>A table header and its keys: after the other [router] keys, as TOML needs.</summary>
    public override string SampleLine => "[[router.wan]]\ninterface = \"wan1\"\nmark = \"0x100/0xff00\"";

    internal IReadOnlyList<RouterWan> Read(ConfigSection s)
    {
        var wans = new List<RouterWan>();
        var tables = s.TableArray(Name) ?? [];
        for (var i = 0; i < tables.Count; i++)
        {
            var entry = new ConfigSection(s.Reader, tables[i], s.Key($"{Name}[{i + 1}]"));
            var name = entry.String(InterfaceKey, "an interface name");
            if (name is null && entry.Node(InterfaceKey) is null)
                entry.Problem(InterfaceKey, "an interface name (missing)");
            else if (name is not null && ConfigChecks.InterfaceName(name) is { } bad)
                entry.Problem(InterfaceKey, $"{bad}, found {ConfigReader.Clip(name)}");
            else if (name is not null && wans.Any(w => w.Interface == name))
                entry.Problem(InterfaceKey, $"each interface once, found {ConfigReader.Clip(name)} again");

            WanMark? mark = null;
            if (entry.String(MarkKey, WanMark.Expected) is { } text)
            {
                if (WanMark.TryParse(text, out var parsed))
                    mark = parsed;
                else
                    entry.Problem(MarkKey, $"{WanMark.Expected}, with no bits outside the mask, found {ConfigReader.Clip(text)}");
            }

            entry.RejectUnknown([InterfaceKey, MarkKey]);
            if (name is not null && ConfigChecks.InterfaceName(name) is null && !wans.Any(w => w.Interface == name))
                wans.Add(new RouterWan(name, mark));
        }

        return wans;
    }
}
