using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// Decodes one DNS message. Never throws: its input comes from the network, so anything malformed
/// comes back as false with a one-line reason.
/// </summary>
public static class DnsMessageParser
{
    private const int FixedRecordLength = 10; // TYPE, CLASS, TTL, RDLENGTH

    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out DnsMessage? message, out string error)
    {
        message = null;
        if (!DnsHeader.TryRead(data, out var header))
            return Fail("shorter than a DNS header", out error);

        int offset = DnsHeader.Length;
        var questions = new List<DnsQuestion>();
        for (int i = 0; i < header.QuestionCount; i++)
        {
            if (!DnsName.TryRead(data, ref offset, out var name))
                return Fail($"bad name in question {i}", out error);
            if (data.Length - offset < 4)
                return Fail($"question {i} truncated", out error);
            questions.Add(new DnsQuestion(
                name,
                (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(data[offset..]),
                (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..])));
            offset += 4;
        }

        if (!TryReadSection(data, ref offset, header.AnswerCount, "answer", out var answers, out _, out error)
            || !TryReadSection(data, ref offset, header.AuthorityCount, "authority", out var authorities, out _, out error)
            || !TryReadSection(data, ref offset, header.AdditionalCount, "additional", out var additionals, out var tsig, out error))
        {
            return false;
        }

        if (offset != data.Length)
            return Fail($"{data.Length - offset} bytes after the last record", out error);

        message = new DnsMessage
        {
            Header = header,
            Questions = questions,
            Answers = answers,
            Authorities = authorities,
            Additionals = additionals,
            Tsig = tsig,
        };
        error = "";
        return true;
    }

    private static bool TryReadSection(
        ReadOnlySpan<byte> data,
        ref int offset,
        int count,
        string section,
        out List<DnsRecord> records,
        out DnsTsigRecord? tsig,
        out string error)
    {
        records = new List<DnsRecord>(Math.Min(count, 64));
        tsig = null;
        for (int i = 0; i < count; i++)
        {
            int start = offset;
            if (!DnsName.TryRead(data, ref offset, out var name))
                return Fail($"bad owner name in {section} record {i}", out error);
            if (data.Length - offset < FixedRecordLength)
                return Fail($"{section} record {i} truncated", out error);
            var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            var @class = (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 4)..]);
            int rdLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 8)..]);
            int rdStart = offset + FixedRecordLength;
            if (rdLength > data.Length - rdStart)
                return Fail($"{section} record {i} RDATA truncated", out error);

            if (type == DnsRecordType.Tsig)
            {
                // RFC 8945 §5.1: only one TSIG, and it must be the very last record of the message.
                if (section != "additional" || i != count - 1)
                    return Fail("TSIG record is not the last record", out error);
                // CLASS and TTL are fixed (RFC 8945 §4.2) and the MAC assumes them, so nothing else may pass.
                if (@class != DnsClass.Any || ttl != 0)
                    return Fail("TSIG record with CLASS other than ANY or non-zero TTL", out error);
                if (!TryReadTsig(data, rdStart, rdLength, name, start, out tsig))
                    return Fail("malformed TSIG record", out error);
                offset = rdStart + rdLength;
                continue;
            }

            if (!TryReadRecordData(data, rdStart, rdLength, type, out var rdata, out var soa))
                return Fail($"malformed {type} RDATA in {section} record {i}", out error);
            records.Add(new DnsRecord(name, type, @class, ttl, rdata) { Soa = soa });
            offset = rdStart + rdLength;
        }

        error = "";
        return true;
    }

    private static bool TryReadRecordData(
        ReadOnlySpan<byte> data, int start, int length, DnsRecordType type, out byte[] rdata, out DnsSoa? soa)
    {
        soa = null;
        rdata = [];
        int end = start + length;
        int offset = start;
        switch (type)
        {
            case DnsRecordType.NS or DnsRecordType.CName or DnsRecordType.Ptr:
            {
                if (length == 0)
                    return true; // UPDATE "delete RRset" records carry no RDATA
                if (!DnsName.TryRead(data, ref offset, out var target) || offset != end)
                    return false;
                rdata = target.Wire.ToArray();
                return true;
            }

            case DnsRecordType.Soa:
            {
                if (length == 0)
                    return true;
                if (!DnsName.TryRead(data, ref offset, out var mname) || !DnsName.TryRead(data, ref offset, out var rname)
                    || end - offset != 20)
                {
                    return false;
                }

                var numbers = data.Slice(offset, 20);
                soa = new DnsSoa(
                    mname,
                    rname,
                    BinaryPrimitives.ReadUInt32BigEndian(numbers),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[4..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[8..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[12..]),
                    BinaryPrimitives.ReadUInt32BigEndian(numbers[16..]));
                var writer = new DnsWireWriter(mname.Wire.Length + rname.Wire.Length + 20);
                writer.WriteName(mname);
                writer.WriteName(rname);
                writer.WriteBytes(numbers);
                rdata = writer.ToArray();
                return true;
            }

            default:
                // A/AAAA with a wrong length stay opaque (Address is null); UPDATE uses empty RDATA legitimately.
                rdata = data.Slice(start, length).ToArray();
                return true;
        }
    }

    private static bool TryReadTsig(
        ReadOnlySpan<byte> data, int start, int length, DnsName keyName, int recordOffset, [NotNullWhen(true)] out DnsTsigRecord? tsig)
    {
        tsig = null;
        int end = start + length;
        int offset = start;
        var rdata = data[..end];
        if (!DnsName.TryRead(rdata, ref offset, out var algorithm))
            return false;
        if (end - offset < 10)
            return false;
        long timeSigned = ((long)BinaryPrimitives.ReadUInt16BigEndian(data[offset..]) << 32)
            | BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 2)..]);
        ushort fudge = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 6)..]);
        int macSize = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 8)..]);
        offset += 10;
        if (end - offset < macSize + 6)
            return false;
        var mac = data.Slice(offset, macSize).ToArray();
        offset += macSize;
        ushort originalId = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
        ushort tsigError = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
        int otherLength = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 4)..]);
        offset += 6;
        if (end - offset != otherLength)
            return false;
        tsig = new DnsTsigRecord(keyName, algorithm, timeSigned, fudge, mac, originalId, (DnsRcode)tsigError, data.Slice(offset, otherLength).ToArray())
        {
            Offset = recordOffset,
        };
        return true;
    }

    private static bool Fail(string reason, out string error)
    {
        error = reason;
        return false;
    }
}
