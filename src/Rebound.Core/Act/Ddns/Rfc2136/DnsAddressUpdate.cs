using System.Net;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// "Make <see cref="Name"/> point at <see cref="Address"/>": replaces the whole A (IPv4) or AAAA (IPv6)
/// RRset of the name; other types at the name are left alone.
/// </summary>
public sealed record DnsAddressUpdate(DnsName Name, IPAddress Address, uint Ttl = 60)
{
    public DnsRecordType Type => DnsRecord.ForAddress(Name, Address, Ttl).Type;
}
