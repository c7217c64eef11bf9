namespace Rebound.Sense.Netlink;

/// <summary>struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 (host byte order).</summary>
public readonly record struct NetlinkHeader(uint Length, ushort Type, ushort Flags, uint Sequence, uint PortId)
{
    public bool HasFlag(ushort flag) => (Flags & flag) == flag;
}
