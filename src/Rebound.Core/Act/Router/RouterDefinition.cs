using Rebound.Act.Heal;
using Rebound.Configuration;

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

    public override string Name => "router";

    public override string Description =>
        "Only when Rebound runs on the Linux router itself: on a WAN switch, delete the conntrack entries translated to "
        + "the departed WAN's address, so every LAN flow remaps on its next packet.";

    public override IReadOnlyList<ConfigKey> Keys => [FlushConntrack, WanInterfaces, Keep];

    internal override RouterConntrackOptions ReadSettings(ConfigSection s, IReadOnlyList<RouterConntrackOptions> earlier) => new()
    {
        FlushConntrack = FlushConntrack.Read(s),
        WanInterfaces = WanInterfaces.Read(s),
        Keep = Keep.Read(s),
    };

    internal override string Describe(RouterConntrackOptions o) =>
        (o.FlushConntrack ? "delete conntrack entries translated to a departed WAN" : "conntrack flushing off")
        + $"; WAN interfaces {(o.WanInterfaces.Count == 0 ? "any with a default route" : string.Join(", ", o.WanInterfaces))}"
        + (o.Keep.Count == 0 ? "" : $"; never touching {string.Join(", ", o.Keep)}");

    /// <summary>ctnetlink in the agent's namespace, the conntrack tool as a fallback; none when flushing is off.</summary>
    internal override IHealTarget? Create(RouterConntrackOptions options, TimeProvider time) => options.FlushConntrack
        ? new RouterConntrackTarget(new FallbackConntrackTable(new NetlinkConntrackTable(timeProvider: time), new ConntrackToolTable(timeProvider: time)), options)
        : null;
}
