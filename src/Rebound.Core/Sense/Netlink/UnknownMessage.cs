using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>A well-formed message of a type this codec does not decode, or whose fixed body was too short.</summary>
public sealed record UnknownMessage(NetlinkHeader Header) : NetlinkMessage(Header);
