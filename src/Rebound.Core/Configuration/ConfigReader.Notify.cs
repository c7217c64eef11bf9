using Rebound.Act.Notify;

namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    /// <summary>
    /// An <c>events</c> array of catalogue names or <c>"*"</c>, duplicates dropped; an unknown name is a problem at its line
    /// listing every name. Hooks and notifications read it the same way.
    /// </summary>
    internal List<string> ReadEventNames(ConfigSection s)
    {
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

        return events;
    }

    private List<NotifyConfig> ReadNotify(ConfigSection top)
    {
        var entries = new List<NotifyConfig>();
        var tables = top.TableArray(NotifyTable.Instance.Name) ?? [];
        for (int i = 0; i < tables.Count; i++)
        {
            var s = new ConfigSection(this, tables[i], $"notify[{i}]");
            var table = NotifyTable.Instance;
            var start = Problems.Count;
            var events = ReadEventNames(s);
            var endpoint = table.Url.Read(s) is { } secret ? ParseNotifyUrl(s, secret) : null;
            var window = table.Window.Read(s)!.Value;
            var timeout = table.Timeout.Read(s)!.Value;
            s.RejectUnknown(table.Keys);
            if (Problems.Count == start && endpoint is not null && events.Count > 0)
                entries.Add(new NotifyConfig(i, tables[i].Line, events, endpoint, window, timeout));
        }

        return entries;
    }

    private HealthcheckConfig? ReadHealthcheck(ConfigSection top)
    {
        if (top.SubTable(HealthcheckTable.Instance.Name) is not { } node)
            return null;
        var s = new ConfigSection(this, node, HealthcheckTable.Instance.Name);
        var table = HealthcheckTable.Instance;
        var start = Problems.Count;
        Uri? url = null;
        if (table.Url.Read(s) is { } secret)
        {
            if (Uri.TryCreate(secret.Reveal().Trim(), UriKind.Absolute, out var parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp)
                && parsed.Host.Length > 0 && parsed.UserInfo.Length == 0 && parsed.Query.Length == 0)
                url = parsed;
            else
                Problem(UrlNode(s), s.Key("url"), $"an http:// or https:// ping URL without user:password@ or query (from {secret.Source})");
        }

        var interval = table.Interval.Read(s)!.Value;
        var timeout = table.Timeout.Read(s)!.Value;
        s.RejectUnknown(table.Keys);
        return Problems.Count == start && url is not null ? new HealthcheckConfig(url, interval, timeout) : null;
    }

    private NotifyEndpoint? ParseNotifyUrl(ConfigSection s, Secret secret)
    {
        if (NotifyServices.Parse(secret.Reveal(), out var problem) is { } endpoint)
            return endpoint;

        // Where the URL came from, never the URL: it carries the token.
        Problem(UrlNode(s), s.Key("url"), $"{problem} (from {secret.Source})");
        return null;
    }

    /// <summary>The node of whichever of url, url_file, url_env is set, for the problem's line.</summary>
    private static TomlNode UrlNode(ConfigSection s) => s.Node("url") ?? s.Node("url_file") ?? s.Node("url_env") ?? s.Table;
}
