using System.Buffers.Binary;

namespace Rebound.Transport.Netlink;

/// <summary>
/// What every netlink protocol shares (linux/netlink.h): the control message types, the header flags, 4-byte
/// alignment, host byte order and negated errnos. A protocol's codec adds only its own messages on top.
/// </summary>
public static class NetlinkFraming
{
    // nlmsghdr.nlmsg_type: control messages
    public const ushort NlmsgNoop = 1;
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    public const ushort NlmsgOverrun = 4;

    // nlmsghdr.nlmsg_flags
    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFMulti = 0x2;
    public const ushort NlmFAck = 0x4;
    public const ushort NlmFDumpIntr = 0x10;
    public const ushort NlmFRoot = 0x100;
    public const ushort NlmFMatch = 0x200;
    public const ushort NlmFDump = NlmFRoot | NlmFMatch;

    /// <summary>ENOBUFS: the socket's receive queue overflowed and messages were dropped.</summary>
    public const int Enobufs = 105;

    public static int Align(int length) => (length + 3) & ~3;

    /// <summary>NLMSG_ERROR and NLMSG_DONE carry the errno negated; this is its magnitude (a positive value should not occur, but keep it).</summary>
    public static int Errno(int raw) => raw == int.MinValue ? int.MaxValue : Math.Abs(raw);

    public static ushort ReadUInt16(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    public static uint ReadUInt32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    public static int ReadInt32(ReadOnlySpan<byte> s) => unchecked((int)ReadUInt32(s));

    public static void WriteUInt16(Span<byte> s, ushort v)
    {
        if (BitConverter.IsLittleEndian)
            BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        else
            BinaryPrimitives.WriteUInt16BigEndian(s, v);
    }

    public static void WriteUInt32(Span<byte> s, uint v)
    {
        if (BitConverter.IsLittleEndian)
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        else
            BinaryPrimitives.WriteUInt32BigEndian(s, v);
    }
}
