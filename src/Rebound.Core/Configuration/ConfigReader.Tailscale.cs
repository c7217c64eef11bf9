using System.Net;
using Tomlyn.Syntax;

namespace Rebound.Configuration;

internal sealed partial class ConfigReader
{
    // A property, not a field: KnownWords in the other part of this class reads it during static initialization.
    private static string[] TailscaleKeys => ["enabled", "socket", "unit", "restart_command", "ping_peers", "verify_deadline"];

    /// <summary>A verification deadline beyond ten minutes would hold the heal engine on one target too long.</summary>
    private static readonly TimeSpan MaxTailscaleVerifyDeadline = TimeSpan.FromMinutes(10);

    private TailscaleConfig? ReadTailscale(Section top)
    {
        if (top.SubTable("tailscale") is not { } table)
            return null;
        var s = new Section(this, table, "tailscale");
        var config = new TailscaleConfig();

        var enabled = config.Enabled;
        if (s.Node("enabled") is { } enabledNode)
        {
            s.MarkUsed("enabled");
            if (enabledNode is TomlValueNode { Syntax: BooleanValueSyntax boolean })
                enabled = boolean.Value;
            else
                Problem(enabledNode, "tailscale.enabled", $"true or false, found {enabledNode.Describe()}");
        }

        var socket = config.Socket;
        if (s.String("socket", "the absolute path of tailscaled's socket") is { } socketText)
        {
            if (Path.IsPathRooted(socketText))
                socket = socketText;
            else
                Problem(s.Node("socket")!, "tailscale.socket", $"the absolute path of tailscaled's socket, found {Clip(socketText)}");
        }

        var unit = config.Unit;
        if (s.String("unit", "a systemd unit name like \"tailscaled.service\"") is { } unitText)
        {
            if (unitText.Length is > 0 and <= 255 && unitText.Contains('.', StringComparison.Ordinal) && !unitText.Any(c => char.IsWhiteSpace(c) || c == '/'))
                unit = unitText;
            else
                Problem(s.Node("unit")!, "tailscale.unit", $"a systemd unit name like \"tailscaled.service\", found {Clip(unitText)}");
        }

        IReadOnlyList<string>? restartCommand = null;
        if (s.Strings("restart_command", "a command as an array like [\"/usr/sbin/rc-service\", \"tailscale\", \"restart\"]") is { } argv)
        {
            if (Path.IsPathRooted(argv[0].Text))
                restartCommand = [.. argv.Select(a => a.Text)];
            else
                Problem(argv[0].Node, "tailscale.restart_command", $"an absolute program path first (no shell, no PATH search), found {Clip(argv[0].Text)}");
        }

        var peers = new List<IPAddress>();
        if (s.Strings("ping_peers", "an array of peers' Tailscale IPs like [\"100.64.0.2\"]") is { } peerItems)
        {
            foreach (var (text, node) in peerItems)
            {
                if (!IPAddress.TryParse(text.Trim(), out var ip) || text.Contains('/', StringComparison.Ordinal))
                    Problem(node, "tailscale.ping_peers", $"Tailscale IP addresses like \"100.64.0.2\" or \"fd7a:115c:a1e0::2\", found {Clip(text)}");
                else if (peers.Contains(ip))
                    Problem(node, "tailscale.ping_peers", $"each peer once; {ip} is listed twice");
                else
                    peers.Add(ip);
            }
        }

        var verifyDeadline = s.Duration("verify_deadline", allowZero: false, max: MaxTailscaleVerifyDeadline) ?? config.VerifyDeadline;
        s.RejectUnknown(TailscaleKeys);
        return config with
        {
            Enabled = enabled,
            Socket = socket,
            Unit = unit,
            RestartCommand = restartCommand,
            PingPeers = peers,
            VerifyDeadline = verifyDeadline,
        };
    }
}
