using Rebound.Act.Heal;
using Rebound.Configuration;
using Rebound.Sense.Uplinks;
using Rebound.Transport.Netlink;

namespace Rebound.Act.Router;

/// <summary>
/// <c>[router]</c>: Rebound runs on the Linux router itself. The table turns router mode on; with <c>flush_conntrack</c>
/// the entries translated to a departed WAN's address are deleted on a WAN switch. Reads into <see cref="RouterConntrackOptions"/>.
/// </summary>
public sealed class RouterDefinition : HealTargetDefinition<RouterConntrackOptions>
{
    public BoolKey FlushConntrack { get; } = new("flush_conntrack", "On a WAN switch, delete the conntrack entries translated to the departed WAN's address", new RouterConntrackOptions().FlushConntrack);

    public NameListKey WanInterfaces { get; } = new(
        "wan_interfaces",
        "The WAN interfaces; default: any interface that carried a default route",
        "a non-empty array of interface names",
        ConfigChecks.InterfaceName)
    {
        Example = ConfigKey.Toml(["wan1", "wan2"]),
    };

    public AddressListKey Keep { get; } = new("keep", "Addresses whose entries are never deleted", "a non-empty array of IP addresses", "an IPv4 or IPv6 address")
    {
        Example = ConfigKey.Toml(["203.0.113.7"]),
    };

    public RouterWanKey Wans { get; } = new();

    public override string Name => "router";

    public override string Description =>
        "Only when Rebound runs on the Linux router itself: on a WAN switch, delete the conntrack entries translated to "
        + "the departed WAN's address, so every LAN flow remaps on its next packet.";

    public override IReadOnlyList<ConfigKey> Keys => [FlushConntrack, WanInterfaces, Keep, Wans];

    /// <summary>The interfaces of [[router.wan]] join wan_interfaces; their marks go to the probes and the flow matching.</summary>
    internal override RouterConntrackOptions ReadSettings(ConfigSection s, IReadOnlyList<RouterConntrackOptions> earlier)
    {
        var interfaces = WanInterfaces.Read(s);
        var wans = Wans.Read(s);
        var marks = wans.Where(w => w.Mark is not null).ToDictionary(w => w.Interface, w => w.Mark!.Value, StringComparer.Ordinal);
        return new()
        {
            FlushConntrack = FlushConntrack.Read(s),
            WanInterfaces = [.. interfaces.Concat(wans.Select(w => w.Interface)).Distinct(StringComparer.Ordinal)],
            Keep = Keep.Read(s),
            Marks = marks,
            Uplinks = new UplinkMonitorOptions { Marks = marks.ToDictionary(m => m.Key, m => m.Value.Value, StringComparer.Ordinal) },
        };
    }

    internal override string Describe(RouterConntrackOptions o) =>
        (o.FlushConntrack ? "delete conntrack entries translated to a departed WAN" : "conntrack flushing off")
        + $"; WAN interfaces {(o.WanInterfaces.Count == 0 ? "any with a default route" : string.Join(", ", o.WanInterfaces))}"
        + (o.Keep.Count == 0 ? "" : $"; never touching {string.Join(", ", o.Keep)}")
        + (o.Marks.Count == 0 ? "" : $"; marks {string.Join(", ", o.Marks.Select(m => $"{m.Key} {m.Value}"))}");

    /// <summary>ctnetlink in the agent's namespace, the conntrack tool as a fallback; none when flushing is off.</summary>
    internal override IHealTarget? Create(RouterConntrackOptions options, TimeProvider time) => options.FlushConntrack
        ? new RouterConntrackTarget(new FallbackConntrackTable(new NetlinkConntrackTable(timeProvider: time), new ConntrackToolTable(timeProvider: time)), options, ct => ReadPolicyAsync(time, ct))
        : null;

    /// <summary>The ip rules in the agent's namespace; null when they cannot be read in time (then only configured marks count).</summary>
    public static async Task<PolicyMarks?> ReadPolicyAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await PolicyMarks.ReadAsync(cancellationToken: linked.Token);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or NetlinkOverflowException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }
}
