using System.Net;
using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>The <c>[[wireguard]]</c> tables.</summary>
internal sealed partial class ConfigReader
{
    /// <summary>A property, not a field: <see cref="KnownWords"/> in the other part reads it during static initialization.</summary>
    private static string[] WireGuardConfigKeys =>
        ["interface", "verify_ping", "endpoints", "config_file", "restore_port", "restart_command", "verify_deadline", "resolve_interval", "ping_timeout"];

    private static readonly TimeSpan MaxVerifyDeadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxPingTimeout = TimeSpan.FromSeconds(10);

    private List<WireGuardConfig> ReadWireGuardSection(Section top)
    {
        var result = new List<WireGuardConfig>();
        top.MarkUsed("wireguard");
        var node = top.Node("wireguard");
        if (node is null)
            return result;
        if (node is not TomlArrayNode array || array.Items.Any(item => item is not TomlTableNode))
        {
            Problem(node, "wireguard", $"[[wireguard]] tables, found {node.Describe()}");
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < array.Items.Count; i++)
        {
            var s = new Section(this, (TomlTableNode)array.Items[i], $"wireguard[{i}]");
            if (ReadWireGuard(s) is { } entry)
            {
                if (seen.Add(entry.Interface))
                    result.Add(entry);
                else
                    Problem(s.Node("interface")!, s.Key("interface"), $"an interface not configured twice; {Clip(entry.Interface)} already is");
            }
        }

        return result;
    }

    private WireGuardConfig? ReadWireGuard(Section s)
    {
        var ok = true;
        var name = s.String("interface", "a WireGuard interface name like \"wg0\"");
        if (name is null)
        {
            if (s.Node("interface") is null)
                Problem(s.Table, s.Key("interface"), "a WireGuard interface name like \"wg0\" (required)");
            ok = false;
        }
        else if (name.Length is 0 or > 15 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            Problem(s.Node("interface")!, s.Key("interface"), $"an interface name (1-15 letters, digits, '-', '_', '.'), found {Clip(name)}");
            ok = false;
        }

        var pings = new List<IPAddress>();
        foreach (var (text, item) in s.Strings("verify_ping", "a non-empty array of tunnel IP addresses") ?? [])
        {
            if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
                pings.Add(address);
            else
            {
                Problem(item, s.Key("verify_ping"), $"an IP address, found {Clip(text)}");
                ok = false;
            }
        }

        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        if (s.SubTable("endpoints") is { } table)
        {
            foreach (var (key, value) in table.Items)
            {
                var where = $"{s.Key("endpoints")}.{Clip(key)}";
                if (!Act.WireGuard.WireGuardKeys.IsValidBase64Key(key))
                {
                    Problem(value, where, "a peer public key in base64 (44 characters) as the key");
                    ok = false;
                }
                else if (value is not TomlValueNode { Syntax: StringValueSyntax { Value: { } endpoint } } || !IsHostPort(endpoint))
                {
                    Problem(value, where, $"\"host:port\" (host name or address, port 1-65535), found {(value is TomlValueNode { Syntax: StringValueSyntax { Value: { } t } } ? Clip(t) : value.Describe())}");
                    ok = false;
                }
                else
                    endpoints[key] = endpoint;
            }
        }

        var configFile = s.String("config_file", "the path of a wg-quick configuration file");
        if (configFile is { Length: 0 })
        {
            Problem(s.Node("config_file")!, s.Key("config_file"), "a non-empty path");
            ok = false;
        }
        else if (configFile is not null)
            configFile = Path.GetFullPath(configFile, _directory);

        var restorePort = false;
        s.MarkUsed("restore_port");
        if (s.Node("restore_port") is { } restoreNode)
        {
            if (restoreNode is TomlValueNode { Syntax: BooleanValueSyntax b })
                restorePort = b.Value;
            else
            {
                Problem(restoreNode, s.Key("restore_port"), $"true or false, found {restoreNode.Describe()}");
                ok = false;
            }
        }

        List<string>? restart = null;
        if (s.Strings("restart_command", "a non-empty array of strings: the program and its arguments") is { } argv)
        {
            if (argv[0].Text.Length == 0)
            {
                Problem(argv[0].Node, s.Key("restart_command"), "a program name or path as the first item, found an empty string");
                ok = false;
            }
            else
                restart = [.. argv.Select(a => a.Text)];
        }

        var verifyDeadline = s.Duration("verify_deadline", allowZero: false, MaxVerifyDeadline);
        var resolveInterval = s.Duration("resolve_interval", allowZero: false, MaxWatchDuration);
        if ((s.Node("verify_deadline") is not null && verifyDeadline is null) || (s.Node("resolve_interval") is not null && resolveInterval is null))
            ok = false;
        var pingTimeout = s.Duration("ping_timeout", allowZero: false, MaxPingTimeout);
        if (s.Node("ping_timeout") is not null && pingTimeout is null)
            ok = false;

        s.RejectUnknown(WireGuardConfigKeys);
        if (!ok || name is null)
            return null;
        return new WireGuardConfig(name)
        {
            VerifyPing = pings,
            Endpoints = endpoints,
            ConfigFile = configFile,
            RestorePort = restorePort,
            RestartCommand = restart,
            VerifyDeadline = verifyDeadline ?? WireGuardConfig.DefaultVerifyDeadline,
            ResolveInterval = resolveInterval ?? WireGuardConfig.DefaultResolveInterval,
            PingTimeout = pingTimeout ?? WireGuardConfig.DefaultPingTimeout,
        };
    }

    private static bool IsHostPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return false;
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            return IPAddress.TryParse(host[1..^1], out _);
        return IPAddress.TryParse(host, out _) || IsHostName(host);
    }
}
