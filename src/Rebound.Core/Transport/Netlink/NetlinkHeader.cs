namespace Rebound.Transport.Netlink;

/// <summary>struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 (host byte order), the same for every protocol.</summary>
public readonly record struct NetlinkHeader(uint Length, ushort Type, ushort Flags, uint Sequence, uint PortId)
{
    public const int Size = 16;

    public bool HasFlag(ushort flag) => (Flags & flag) == flag;

    /// <summary>Reads the first <see cref="Size"/> bytes of <paramref name="span"/>.</summary>
    public static NetlinkHeader Read(ReadOnlySpan<byte> span) =>
        new(NetlinkFraming.ReadUInt32(span), NetlinkFraming.ReadUInt16(span[4..]), NetlinkFraming.ReadUInt16(span[6..]),
            NetlinkFraming.ReadUInt32(span[8..]), NetlinkFraming.ReadUInt32(span[12..]));

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="span"/>.</summary>
    public void Write(Span<byte> span)
    {
        NetlinkFraming.WriteUInt32(span, Length);
        NetlinkFraming.WriteUInt16(span[4..], Type);
        NetlinkFraming.WriteUInt16(span[6..], Flags);
        NetlinkFraming.WriteUInt32(span[8..], Sequence);
        NetlinkFraming.WriteUInt32(span[12..], PortId);
    }
}
