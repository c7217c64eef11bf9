using System.Net;
using System.Net.Sockets;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// One resource record. <see cref="Data"/> is the RDATA; for SOA, NS, CNAME and PTR records read from
/// the wire, embedded names are stored decompressed so the record can be written back as it is.
/// </summary>
public sealed record DnsRecord(DnsName Name, DnsRecordType Type, DnsClass Class, uint Ttl, ReadOnlyMemory<byte> Data)
{
    /// <summary>The decoded SOA when this is an SOA record with valid RDATA.</summary>
    public DnsSoa? Soa { get; init; }

    /// <summary>The address of an A or AAAA record with well-formed RDATA, otherwise null.</summary>
    public IPAddress? Address => (Type, Data.Length) switch
    {
        (DnsRecordType.A, 4) or (DnsRecordType.Aaaa, 16) => new IPAddress(Data.Span),
        _ => null,
    };

    /// <summary>An A (IPv4) or AAAA (IPv6) record, chosen by the address family.</summary>
    public static DnsRecord ForAddress(DnsName name, IPAddress address, uint ttl)
    {
        ArgumentNullException.ThrowIfNull(address);
        var type = address.AddressFamily switch
        {
            AddressFamily.InterNetwork => DnsRecordType.A,
            AddressFamily.InterNetworkV6 when address.IsIPv4MappedToIPv6 => DnsRecordType.A,
            AddressFamily.InterNetworkV6 => DnsRecordType.Aaaa,
            _ => throw new ArgumentException($"unsupported address family {address.AddressFamily}", nameof(address)),
        };
        var bytes = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
        return new DnsRecord(name, type, DnsClass.IN, ttl, bytes);
    }

    internal void Write(DnsWireWriter writer)
    {
        writer.WriteName(Name);
        writer.WriteUInt16((ushort)Type);
        writer.WriteUInt16((ushort)Class);
        writer.WriteUInt32(Ttl);
        writer.WriteUInt16((ushort)Data.Length);
        writer.WriteBytes(Data.Span);
    }

    public override string ToString() =>
        $"{Name} {Ttl} {Class} {Type} {(Address?.ToString() ?? (Soa is { } soa ? $"serial {soa.Serial}" : $"[{Data.Length} bytes]"))}";
}
