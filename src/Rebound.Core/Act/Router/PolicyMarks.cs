using Rebound.Sense.Netlink;
using Rebound.Transport.Netlink;
using static Rebound.Sense.Netlink.NetlinkConstants;

namespace Rebound.Act.Router;

/// <summary>
/// What the router's policy routing says about its WANs: the mark of each WAN (an <c>ip rule fwmark M lookup T</c>
/// whose table's IPv4 default route leaves by that WAN) and whether other rules (by source, interface, …) steer
/// traffic, in which case the main table alone does not say where an unmarked flow leaves.
/// </summary>
public sealed record PolicyMarks(IReadOnlyDictionary<string, WanMark> Marks, bool OtherRules)
{
    private static readonly ushort[] DumpTypes = [RtmGetLink, RtmGetRoute, RtmGetRule];

    public static PolicyMarks None { get; } = new(new Dictionary<string, WanMark>(StringComparer.Ordinal), false);

    /// <summary>
    /// Pure: the marks from a dump of links, IPv4 routes (every table) and rules. Per WAN the rule of lowest
    /// priority wins; a table whose default route is multipath or missing gives no mark. The kernel's own rules
    /// (local, main, default) are not "other rules".
    /// </summary>
    public static PolicyMarks From(IEnumerable<NetlinkMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var names = new Dictionary<int, string>();
        var defaults = new Dictionary<uint, List<int>>();
        var rules = new List<RuleMessage>();
        foreach (var message in messages)
        {
            switch (message)
            {
                case LinkMessage { Name: { } name } link:
                    names[link.InterfaceIndex] = name;
                    break;
                case RouteMessage { Family: AfInet, DestinationLength: 0, RouteType: RtnUnicast, IsDelete: false } route:
                    if (!defaults.TryGetValue(route.Table, out var oifs))
                        defaults[route.Table] = oifs = [];
                    oifs.Add(route.NextHops.Count > 0 ? -1 : route.OutputInterfaceIndex);
                    break;
                case RuleMessage { Family: AfInet } rule:
                    rules.Add(rule);
                    break;
            }
        }

        var marks = new Dictionary<string, WanMark>(StringComparer.Ordinal);
        var other = false;
        foreach (var rule in rules.OrderBy(r => r.Priority))
        {
            var kernelRule = rule.Fwmark is null or 0 && !rule.SelectsMore && rule.Table is RtTableMain or RtTableLocal or RtTableDefault;
            if (rule.Action != FrActToTable || kernelRule)
            {
                continue;
            }

            if (rule.Fwmark is not { } value || value == 0 || rule.SelectsMore)
            {
                other = true;
                continue;
            }

            var mask = rule.Fwmask ?? uint.MaxValue;
            if (defaults.TryGetValue(rule.Table, out var oifs) && oifs is [var oif] && names.TryGetValue(oif, out var wan)
                && (value & ~mask) == 0)
            {
                marks.TryAdd(wan, new WanMark(value, mask));
            }
        }

        return new PolicyMarks(marks, other);
    }

    /// <summary>Dumps links, routes and rules over one rtnetlink socket (the caller's namespace by default).</summary>
    public static async Task<PolicyMarks> ReadAsync(Func<INetlinkTransport>? open = null, CancellationToken cancellationToken = default)
    {
        using var socket = (open ?? (() => NetlinkSocket.Open(NetlinkProtocol.Route)))();
        var messages = new List<NetlinkMessage>();
        var buffer = new byte[1 << 16];
        foreach (var type in DumpTypes)
        {
            var sequence = socket.NextSequence();
            await socket.SendAsync(NetlinkCodec.CreateDumpRequest(type, sequence), cancellationToken);
            var done = false;
            while (!done)
            {
                var n = await socket.ReceiveAsync(buffer, cancellationToken);
                foreach (var message in NetlinkCodec.Parse(buffer.AsSpan(0, n)).Messages)
                {
                    if (message.Header.Sequence != sequence)
                        continue;
                    switch (message)
                    {
                        case DoneMessage { Errno: 0 }:
                            done = true;
                            break;
                        case DoneMessage or ErrorMessage { IsAcknowledgement: false }:
                            throw new IOException($"rtnetlink dump {type} failed");
                        default:
                            messages.Add(message);
                            break;
                    }
                }
            }
        }

        return From(messages);
    }
}
