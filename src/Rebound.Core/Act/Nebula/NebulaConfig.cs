using System.Globalization;
using System.Net;
using Rebound.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Rebound.Act.Nebula;

/// <summary>
/// What the <c>[[nebula]]</c> target needs from a node's <c>config.yml</c>: the fixed UDP port it listens on, its
/// lighthouses' overlay addresses and the static host map (overlay address to <c>host:port</c>, names allowed).
/// Everything else in the file is nebula's business and left unread.
/// </summary>
public sealed record NebulaConfig
{
    /// <summary>The file it was read from (absolute).</summary>
    public required string Path { get; init; }

    /// <summary><c>listen.port</c>: 1-65535. Port 0 (nebula picks one at each start) is refused: there is nothing fixed to hop away from.</summary>
    public required int ListenPort { get; init; }

    /// <summary><c>listen.host</c> (nebula's default 0.0.0.0; <c>[::]</c> for dual stack).</summary>
    public string ListenHost { get; init; } = "0.0.0.0";

    /// <summary><c>lighthouse.am_lighthouse</c>: a lighthouse has no lighthouses of its own to ping.</summary>
    public bool AmLighthouse { get; init; }

    /// <summary><c>lighthouse.hosts</c>: overlay addresses, the default <c>verify_ping</c>.</summary>
    public IReadOnlyList<IPAddress> Lighthouses { get; init; } = [];

    /// <summary><c>lighthouse.interval</c> in seconds (nebula's default 10): how often the node reports its addresses.</summary>
    public int LighthouseInterval { get; init; } = 10;

    /// <summary><c>static_host_map</c>: overlay address to the <c>host:port</c> texts given for it, in file order.</summary>
    public IReadOnlyDictionary<IPAddress, IReadOnlyList<string>> StaticHostMap { get; init; } = new Dictionary<IPAddress, IReadOnlyList<string>>();

    /// <summary>
    /// Reads <paramref name="path"/>. Returns null and adds to <paramref name="problems"/> (line and column in that file,
    /// 0 when the file itself is the problem) when it cannot be read, is not YAML, or has no usable <c>listen.port</c>.
    /// </summary>
    public static NebulaConfig? Read(string path, List<NebulaConfigProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(problems);
        if (Directory.Exists(path))
        {
            // nebula also takes a directory of files; Rebound reads one.
            problems.Add(new(0, 0, "", $"a readable nebula config file; {path} is a directory: name the one file holding listen and lighthouse"));
            return null;
        }

        string text;
        try
        {
            text = BoundedFile.ReadText(path, BoundedFile.MaxConfigBytes);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problems.Add(new(0, 0, "", $"a readable nebula config file; {path} does not exist"));
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            problems.Add(new(0, 0, "", $"a readable nebula config file; {path} cannot be read (permission denied)"));
            return null;
        }
        catch (IOException ex)
        {
            problems.Add(new(0, 0, "", $"a readable nebula config file; {path} cannot be read ({ex.GetType().Name})"));
            return null;
        }

        return Parse(text, path, problems);
    }

    /// <summary>Parses YAML text (YamlDotNet's representation model: no reflection, no object mapping).</summary>
    public static NebulaConfig? Parse(string text, string path, List<NebulaConfigProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var start = problems.Count;
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
            if (stream.Documents.Count > 0 && root is null)
            {
                var node = stream.Documents[0].RootNode;
                problems.Add(new(Line(node), Column(node), "", "a YAML mapping (listen:, lighthouse:, ...) at the top of the nebula config"));
                return null;
            }
        }
        catch (YamlException ex)
        {
            // The parser's own words can be long and name the token; the position and one line are enough.
            problems.Add(new(checked((int)ex.Start.Line), checked((int)ex.Start.Column), "", $"valid YAML ({OneLine(ex.Message)})"));
            return null;
        }

        root ??= new YamlMappingNode();
        var listen = Child(root, "listen") as YamlMappingNode;
        int? port = null;
        var host = "0.0.0.0";
        var portNode = listen is null ? null : Child(listen, "port");
        if (portNode is YamlScalarNode { Value: { } portText }
            && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535)
        {
            port = p;
        }
        else
        {
            var at = (YamlNode?)portNode ?? Key(root, "listen") ?? root.Children.Keys.FirstOrDefault();
            var found = portNode is YamlScalarNode { Value: { } t } ? $", found {Clip(t)}"
                : portNode is not null ? ", found a " + (portNode is YamlSequenceNode ? "list" : "mapping")
                : listen is null ? "; there is no listen: section" : "; listen: has no port";
            var why = portNode is YamlScalarNode { Value: "0" } ? " (0 lets nebula pick a new port at each start; Rebound needs the fixed one)" : "";
            problems.Add(new(at is null ? 1 : Line(at), at is null ? 1 : Column(at), "listen.port", $"a fixed UDP port 1-65535{why}{found}"));
        }

        if (listen is not null && Child(listen, "host") is YamlScalarNode { Value: { Length: > 0 } h })
            host = h;

        var lighthouse = Child(root, "lighthouse") as YamlMappingNode;
        var amLighthouse = lighthouse is not null && Child(lighthouse, "am_lighthouse") is YamlScalarNode { Value: { } am }
            && am.Equals("true", StringComparison.OrdinalIgnoreCase);
        var lighthouses = new List<IPAddress>();
        if (lighthouse is not null && Child(lighthouse, "hosts") is { } hosts)
        {
            if (hosts is YamlSequenceNode list)
            {
                foreach (var item in list.Children)
                {
                    if (item is YamlScalarNode { Value: { } ip } && IPAddress.TryParse(ip, out var address))
                        lighthouses.Add(address);
                    else
                        problems.Add(new(Line(item), Column(item), "lighthouse.hosts", $"lighthouses' overlay IP addresses, found {Describe(item)}"));
                }
            }
            else if (hosts is not YamlScalarNode { Value: null or "" })
            {
                problems.Add(new(Line(hosts), Column(hosts), "lighthouse.hosts", $"a list of overlay IP addresses, found {Describe(hosts)}"));
            }
        }

        var interval = 10;
        if (lighthouse is not null && Child(lighthouse, "interval") is YamlScalarNode { Value: { } iv }
            && int.TryParse(iv, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            interval = seconds;
        }

        var staticMap = new Dictionary<IPAddress, IReadOnlyList<string>>();
        if (Child(root, "static_host_map") is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                if (key is not YamlScalarNode { Value: { } vpn } || !IPAddress.TryParse(vpn, out var overlay))
                {
                    problems.Add(new(Line(key), Column(key), "static_host_map", $"overlay IP addresses as keys, found {Describe(key)}"));
                    continue;
                }

                var targets = value switch
                {
                    YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList(),
                    YamlScalarNode { Value: { } one } => [one],
                    _ => [],
                };
                staticMap[overlay] = [.. targets.Where(t => t.Length > 0)];
            }
        }

        if (problems.Count != start || port is null)
            return null;
        return new NebulaConfig
        {
            Path = path,
            ListenPort = port.Value,
            ListenHost = host,
            AmLighthouse = amLighthouse,
            Lighthouses = lighthouses,
            LighthouseInterval = interval,
            StaticHostMap = staticMap,
        };
    }

    /// <summary>The line of <c>listen.port</c> etc. for messages: YamlDotNet counts from 1.</summary>
    private static int Line(YamlNode node) => checked((int)node.Start.Line);

    private static int Column(YamlNode node) => checked((int)node.Start.Column);

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The key node itself, whose line is the one people look for ("listen:").</summary>
    private static YamlNode? Key(YamlMappingNode map, string key) =>
        map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: { } v } && v == key);

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { } v } => Clip(v),
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "nothing",
    };

    private static string Clip(string text) => text.Length <= 24 ? $"\"{text}\"" : $"a text of {text.Length} characters";

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 120 ? line : line[..117] + "...";
    }
}

/// <summary>One thing wrong with a nebula config file: 1-based line and column in that file (0: the file as a whole).</summary>
public sealed record NebulaConfigProblem(int Line, int Column, string Key, string Expected);
