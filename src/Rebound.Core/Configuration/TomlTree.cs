using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>
/// A TOML document as nested tables with the 1-based line and column of every key, built from Tomlyn's syntax
/// tree (no reflection, so it trims and compiles ahead of time). Dotted keys, <c>[a.b]</c> headers, inline
/// tables and arrays of tables all end up as the same shape.
/// </summary>
internal abstract class TomlNode(int line, int column)
{
    public int Line { get; set; } = line;
    public int Column { get; set; } = column;

    /// <summary>What this is, for "found ..." in messages; never the value (it may be a secret).</summary>
    public abstract string Describe();
}

internal sealed class TomlTableNode(int line, int column) : TomlNode(line, column)
{
    // Items keep the file's order (messages list keys in it); the index makes a lookup O(1), so a file with many
    // keys is read in linear time.
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public List<KeyValuePair<string, TomlNode>> Items { get; } = [];

    public TomlNode? Get(string key) => _index.TryGetValue(key, out var i) ? Items[i].Value : null;

    public void Set(string key, TomlNode node)
    {
        if (_index.TryGetValue(key, out var i))
        {
            Items[i] = new(key, node);
            return;
        }

        _index[key] = Items.Count;
        Items.Add(new(key, node));
    }

    public override string Describe() => "a table";
}

internal sealed class TomlArrayNode(int line, int column, bool ofTables) : TomlNode(line, column)
{
    public bool OfTables { get; } = ofTables;

    public List<TomlNode> Items { get; } = [];

    public override string Describe() => OfTables ? "an array of tables" : "an array";
}

internal sealed class TomlValueNode(int line, int column, ValueSyntax syntax) : TomlNode(line, column)
{
    public ValueSyntax Syntax { get; } = syntax;

    public override string Describe() => Syntax switch
    {
        StringValueSyntax => "a string",
        IntegerValueSyntax => "an integer",
        FloatValueSyntax => "a number with a fraction",
        BooleanValueSyntax => "a boolean",
        DateTimeValueSyntax => "a date/time",
        _ => "a value",
    };
}

internal static class TomlTree
{
    public static TomlTableNode Build(DocumentSyntax document)
    {
        var root = new TomlTableNode(1, 1);
        foreach (var keyValue in document.KeyValues)
            AddKeyValue(root, keyValue);

        foreach (var table in document.Tables)
        {
            var parts = KeyParts(table.Name);
            if (parts.Count == 0)
                continue;
            var (line, column) = Position(table);
            TomlTableNode? target;
            if (table is TableArraySyntax)
            {
                var parent = Navigate(root, parts, parts.Count - 1, line, column);
                if (parent is null)
                    continue;
                if (parent.Get(parts[^1]) is not TomlArrayNode array)
                {
                    array = new TomlArrayNode(line, column, ofTables: true);
                    parent.Set(parts[^1], array);
                }

                target = new TomlTableNode(line, column);
                array.Items.Add(target);
            }
            else
            {
                target = Navigate(root, parts, parts.Count, line, column);
                if (target is null)
                    continue;
                target.Line = line;
                target.Column = column;
            }

            foreach (var keyValue in table.Items)
                AddKeyValue(target, keyValue);
        }

        return root;
    }

    private static void AddKeyValue(TomlTableNode table, KeyValueSyntax keyValue)
    {
        var parts = KeyParts(keyValue.Key);
        if (parts.Count == 0 || keyValue.Value is null)
            return;
        var (line, column) = Position(keyValue);
        var parent = Navigate(table, parts, parts.Count - 1, line, column);
        parent?.Set(parts[^1], Convert(keyValue.Value, line, column));
    }

    private static TomlNode Convert(ValueSyntax value, int line, int column)
    {
        switch (value)
        {
            case ArraySyntax array:
            {
                var node = new TomlArrayNode(line, column, ofTables: false);
                foreach (var item in array.Items)
                {
                    if (item.Value is { } itemValue)
                    {
                        var (itemLine, itemColumn) = Position(itemValue);
                        node.Items.Add(Convert(itemValue, itemLine, itemColumn));
                    }
                }

                return node;
            }

            case InlineTableSyntax inline:
            {
                var node = new TomlTableNode(line, column);
                foreach (var item in inline.Items)
                {
                    if (item.KeyValue is { } keyValue)
                        AddKeyValue(node, keyValue);
                }

                return node;
            }

            default:
                return new TomlValueNode(line, column, value);
        }
    }

    /// <summary>Walks (creating as needed) the first <paramref name="count"/> parts; null on a clash Tomlyn already reported.</summary>
    private static TomlTableNode? Navigate(TomlTableNode start, List<string> parts, int count, int line, int column)
    {
        var current = start;
        for (int i = 0; i < count; i++)
        {
            switch (current.Get(parts[i]))
            {
                case null:
                    var created = new TomlTableNode(line, column);
                    current.Set(parts[i], created);
                    current = created;
                    break;
                case TomlTableNode table:
                    current = table;
                    break;
                case TomlArrayNode { Items: [.., TomlTableNode last] }:
                    current = last;
                    break;
                default:
                    return null;
            }
        }

        return current;
    }

    private static List<string> KeyParts(KeySyntax? key)
    {
        var parts = new List<string>();
        if (key is null)
            return parts;
        if (Part(key.Key) is { } first)
            parts.Add(first);
        foreach (var dotted in key.DotKeys)
        {
            if (Part(dotted.Key) is { } part)
                parts.Add(part);
        }

        return parts;
    }

    private static string? Part(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text,
        StringValueSyntax quoted => quoted.Value,
        _ => null,
    };

    private static (int Line, int Column) Position(SyntaxNodeBase node) => (node.Span.Start.Line + 1, node.Span.Start.Column + 1);
}
