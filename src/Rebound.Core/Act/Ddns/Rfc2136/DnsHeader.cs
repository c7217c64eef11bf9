using System.Buffers.Binary;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>The 12-byte message header (RFC 1035 §4.1.1; RFC 2136 §2.2 renames the counts for UPDATE).</summary>
public readonly record struct DnsHeader(
    ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount)
{
    public const int Length = 12;

    public const ushort ResponseFlag = 0x8000;
    public const ushort AuthoritativeFlag = 0x0400;
    public const ushort TruncatedFlag = 0x0200;
    public const ushort RecursionDesiredFlag = 0x0100;

    public bool IsResponse => (Flags & ResponseFlag) != 0;

    public bool IsAuthoritative => (Flags & AuthoritativeFlag) != 0;

    public bool IsTruncated => (Flags & TruncatedFlag) != 0;

    public DnsOpcode Opcode => (DnsOpcode)((Flags >> 11) & 0xF);

    /// <summary>The 4-bit header RCODE (extended RCODEs via OPT are not used by this client).</summary>
    public DnsRcode Rcode => (DnsRcode)(Flags & 0xF);

    public static ushort MakeFlags(DnsOpcode opcode, bool response = false, DnsRcode rcode = DnsRcode.NoError) =>
        (ushort)((response ? ResponseFlag : 0) | (((int)opcode & 0xF) << 11) | ((int)rcode & 0xF));

    public static bool TryRead(ReadOnlySpan<byte> message, out DnsHeader header)
    {
        if (message.Length < Length)
        {
            header = default;
            return false;
        }

        header = new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(message),
            BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[10..]));
        return true;
    }

    internal void Write(DnsWireWriter writer)
    {
        writer.WriteUInt16(Id);
        writer.WriteUInt16(Flags);
        writer.WriteUInt16(QuestionCount);
        writer.WriteUInt16(AnswerCount);
        writer.WriteUInt16(AuthorityCount);
        writer.WriteUInt16(AdditionalCount);
    }
}
