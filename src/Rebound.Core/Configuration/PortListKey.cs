using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>A non-empty array of port numbers, 1-65535, each once; absent: empty.</summary>
public sealed class PortListKey(string name, string doc, string expected) : ConfigKey(name, doc)
{
    public override string Type => "an array of port numbers (1-65535)";

    public override string? DefaultText => "[]";

    internal IReadOnlyList<int> Read(ConfigSection s)
    {
        s.MarkUsed(Name);
        var node = s.Node(Name);
        var ports = new List<int>();
        if (node is null)
            return ports;
        if (node is not TomlArrayNode { OfTables: false, Items.Count: > 0 } array)
        {
            s.Problem(Name, $"{expected}, found {(node is TomlArrayNode ? "an empty array" : node.Describe())}");
            return ports;
        }

        foreach (var item in array.Items)
        {
            if (item is not TomlValueNode { Syntax: IntegerValueSyntax integer })
                s.Problem(item, Name, $"a port number from 1 to 65535, found {item.Describe()}");
            else if (integer.Value is < 1 or > 65535)
                s.Problem(item, Name, $"a port number from 1 to 65535, found {integer.Value}");
            else if (ports.Contains((int)integer.Value))
                s.Problem(item, Name, $"each port once; {integer.Value} is listed twice");
            else
                ports.Add((int)integer.Value);
        }

        return ports;
    }
}
