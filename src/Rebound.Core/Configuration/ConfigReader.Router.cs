using System.Net;
using Tomlyn.Syntax;

namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    // A property, not a field: static field initializers of partial files run in no defined order.
    private static string[] RouterKeys => ["flush_conntrack", "wan_interfaces", "keep"];

    private RouterConfig ReadRouter(Section s)
    {
        var flush = true;
        s.MarkUsed("flush_conntrack");
        if (s.Node("flush_conntrack") is { } node)
        {
            if (node is TomlValueNode { Syntax: BooleanValueSyntax { Value: var value } })
            {
                flush = value;
            }
            else
            {
                Problem(node, s.Key("flush_conntrack"), $"true or false, found {node.Describe()}");
            }
        }

        var interfaces = new List<string>();
        foreach (var (text, item) in s.Strings("wan_interfaces", "a non-empty array of interface names") ?? [])
        {
            if (text.Length is 0 or > 15 || text.Any(c => c is '/' or ' ' or '\0' or ':'))
                Problem(item, s.Key("wan_interfaces"), $"an interface name (1-15 characters, no '/', ' ' or ':'), found {Clip(text)}");
            else
                interfaces.Add(text);
        }

        var keep = new List<IPAddress>();
        foreach (var (text, item) in s.Strings("keep", "a non-empty array of IP addresses") ?? [])
        {
            if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
                keep.Add(address);
            else
                Problem(item, s.Key("keep"), $"an IPv4 or IPv6 address, found {Clip(text)}");
        }

        s.RejectUnknown(RouterKeys);
        return new RouterConfig(flush, interfaces, keep);
    }
}
