using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>
/// One table being read: typed getters that report a wrong type or value as a problem at its line, and a check
/// that every key of the table was one the definition knows. Keys (<see cref="ConfigKey"/>) read through these.
/// </summary>
internal sealed class ConfigSection(ConfigReader reader, TomlTableNode table, string prefix)
{
    private readonly HashSet<string> _used = [];

    public ConfigReader Reader { get; } = reader;

    public TomlTableNode Table { get; } = table;

    /// <summary>Problems found so far in the whole file: an entry compares it before and after reading itself.</summary>
    public int ProblemCount => Reader.Problems.Count;

    /// <summary>The dotted key for messages: <c>ddns[1].names</c>.</summary>
    public string Key(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    public TomlNode? Node(string key) => Table.Get(key);

    public void MarkUsed(string key) => _used.Add(key);

    /// <summary>A problem with <paramref name="key"/>, at its line (or the table's when it is missing).</summary>
    public void Problem(string key, string expected) => Reader.Problem(Node(key) ?? Table, Key(key), expected);

    public void Problem(TomlNode at, string key, string expected) => Reader.Problem(at, Key(key), expected);

    public void Warn(string key, string message) => Reader.Warn(Node(key) ?? Table, Key(key), message);

    /// <summary>A sub-table, or null when absent (a non-table is a problem).</summary>
    public TomlTableNode? SubTable(string key)
    {
        _used.Add(key);
        var node = Table.Get(key);
        if (node is null or TomlTableNode)
            return (TomlTableNode?)node;
        Reader.Problem(node, Key(key), $"a table [{Key(key)}], found {node.Describe()}");
        return null;
    }

    /// <summary>The tables of <c>[[key]]</c>, or null when absent (anything else is a problem).</summary>
    public IReadOnlyList<TomlTableNode>? TableArray(string key)
    {
        _used.Add(key);
        var node = Table.Get(key);
        if (node is null)
            return null;
        if (node is TomlArrayNode array && array.Items.All(item => item is TomlTableNode))
            return [.. array.Items.Cast<TomlTableNode>()];
        Reader.Problem(node, Key(key), $"[[{key}]] tables, found {node.Describe()}");
        return null;
    }

    public string? String(string key, string expected)
    {
        _used.Add(key);
        var node = Table.Get(key);
        if (node is null)
            return null;
        if (node is TomlValueNode { Syntax: StringValueSyntax { Value: { } value } })
            return value;
        Reader.Problem(node, Key(key), $"{expected}, found {node.Describe()}");
        return null;
    }

    public long? Integer(string key, long min, long max)
    {
        _used.Add(key);
        var node = Table.Get(key);
        if (node is null)
            return null;
        if (node is TomlValueNode { Syntax: IntegerValueSyntax integer } && integer.Value >= min && integer.Value <= max)
            return integer.Value;
        var range = max == int.MaxValue ? $"an integer of at least {min}" : $"an integer from {min} to {max}";
        Reader.Problem(node, Key(key), node is TomlValueNode { Syntax: IntegerValueSyntax i } ? $"{range}, found {i.Value}" : $"{range}, found {node.Describe()}");
        return null;
    }

    /// <summary>The one way a boolean is read: <c>true</c> or <c>false</c>, nothing else.</summary>
    public bool? Boolean(string key)
    {
        _used.Add(key);
        var node = Table.Get(key);
        if (node is null)
            return null;
        if (node is TomlValueNode { Syntax: BooleanValueSyntax boolean })
            return boolean.Value;
        Reader.Problem(node, Key(key), $"true or false, found {node.Describe()}");
        return null;
    }

    public TimeSpan? Duration(string key, DurationRule rule)
    {
        var text = String(key, ConfigDuration.Expected(rule));
        if (text is null)
            return null;
        if (ConfigDuration.TryParse(text, rule, out var value, out var expected))
            return value;
        Reader.Problem(Table.Get(key)!, Key(key), $"{expected}, found {ConfigReader.Clip(text)}");
        return null;
    }

    /// <summary>A non-empty array of strings, each with its node (for the line of a bad item).</summary>
    public List<(string Text, TomlNode Node)>? Strings(string key, string expected)
    {
        _used.Add(key);
        var node = Table.Get(key);
        if (node is null)
            return null;
        if (node is TomlArrayNode { OfTables: false } array && array.Items.Count > 0
            && array.Items.All(item => item is TomlValueNode { Syntax: StringValueSyntax { Value: not null } }))
        {
            return [.. array.Items.Select(item => (((StringValueSyntax)((TomlValueNode)item).Syntax).Value!, item))];
        }

        var found = node is TomlArrayNode { Items.Count: 0 } ? "an empty array"
            : node is TomlArrayNode a ? $"an array holding {a.Items.First(i => i is not TomlValueNode { Syntax: StringValueSyntax }).Describe()}"
            : node.Describe();
        Reader.Problem(node, Key(key), $"{expected}, found {found}");
        return null;
    }

    /// <summary>Every key not read is a problem: a typo must not be silently ignored.</summary>
    public void RejectUnknown(IEnumerable<ConfigKey> keys, string? provider = null) =>
        RejectUnknown(keys.SelectMany(k => k.FileKeys), provider);

    /// <summary>Every key not read and not in <paramref name="allowed"/> is a problem listing the known ones.</summary>
    public void RejectUnknown(IEnumerable<string> allowed, string? provider = null)
    {
        var known = allowed.Distinct().ToList();
        foreach (var (key, node) in Table.Items)
        {
            if (_used.Contains(key) || known.Contains(key))
                continue;
            var what = provider is null ? "" : $" for provider {provider}";
            Reader.Problem(node, Key(key), $"a known key{what} ({string.Join(", ", known)}); {ConfigReader.Clip(key)} is unknown");
        }
    }
}
