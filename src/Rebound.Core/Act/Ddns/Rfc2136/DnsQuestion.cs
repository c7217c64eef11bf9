namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>A question entry; in UPDATE messages the single "zone" entry (ZNAME, ZTYPE=SOA, ZCLASS).</summary>
public sealed record DnsQuestion(DnsName Name, DnsRecordType Type, DnsClass Class = DnsClass.IN)
{
    internal void Write(DnsWireWriter writer)
    {
        writer.WriteName(Name);
        writer.WriteUInt16((ushort)Type);
        writer.WriteUInt16((ushort)Class);
    }
}
