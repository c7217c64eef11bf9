using System.Net;

namespace Rebound.Act.Router;

/// <summary>
/// One direction of a conntrack entry (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY). Ports are 0 for protocols without
/// them; for ICMP the id/type/code travel in <see cref="IcmpId"/>, <see cref="IcmpType"/>, <see cref="IcmpCode"/>.
/// </summary>
public sealed record ConntrackTuple(
    IPAddress Source,
    IPAddress Destination,
    byte Protocol,
    ushort SourcePort,
    ushort DestinationPort)
{
    public ushort? IcmpId { get; init; }

    public byte? IcmpType { get; init; }

    public byte? IcmpCode { get; init; }

    /// <summary>Zone carried inside the tuple (CTA_TUPLE_ZONE), when the kernel sends one.</summary>
    public ushort? Zone { get; init; }

    public override string ToString() => Protocol switch
    {
        ConntrackConstants.IpprotoTcp or ConntrackConstants.IpprotoUdp =>
            $"{ProtocolName} {Format(Source, SourcePort)} -> {Format(Destination, DestinationPort)}",
        _ => $"{ProtocolName} {Source} -> {Destination}",
    };

    public string ProtocolName => Protocol switch
    {
        ConntrackConstants.IpprotoTcp => "tcp",
        ConntrackConstants.IpprotoUdp => "udp",
        ConntrackConstants.IpprotoIcmp => "icmp",
        ConntrackConstants.IpprotoIcmpv6 => "icmpv6",
        _ => $"proto {Protocol}",
    };

    private static string Format(IPAddress address, ushort port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}

/// <summary>
/// One conntrack entry as ctnetlink reports it. For a source-NATed flow, <see cref="Reply"/>'s destination is
/// the translated (public) address: that is how router mode finds the flows pinned to a departed WAN.
/// </summary>
public sealed record ConntrackEntry(byte Family, ConntrackTuple Original, ConntrackTuple Reply, uint Status, uint Id, ushort Zone)
{
    public uint? Mark { get; init; }

    public uint? TimeoutSeconds { get; init; }

    public override string ToString() => $"id {Id} {Original} (reply to {Reply.Destination})";
}
