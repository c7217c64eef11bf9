using System.Net;
using Rebound.Decide;

namespace Rebound.Act.Ddns;

/// <summary>One record to point at a new address: the family (A or AAAA) follows from the address.</summary>
/// <param name="Hostname">Fully qualified name of the record, e.g. home.example.com (no trailing dot needed).</param>
/// <param name="Address">The new public address.</param>
public sealed record DdnsRecordUpdate(string Hostname, IPAddress Address)
{
    public IpFamily Family => IpFamilyNames.Of(Address);

    /// <summary>"A" or "AAAA".</summary>
    public string RecordType => Family == IpFamily.Ipv6 ? "AAAA" : "A";

    /// <summary>The address as providers expect it: IPv4-mapped IPv6 addresses are written as plain IPv4.</summary>
    public string AddressText => (Address.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address).ToString();

    /// <summary>The hostname without a trailing dot, lower-cased (DNS names compare case-insensitively).</summary>
    internal string Name => Hostname.TrimEnd('.').ToLowerInvariant();

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Hostname);
        ArgumentNullException.ThrowIfNull(Address);
        if (Name.Length == 0 || Name.Any(c => c <= ' ' || c is '/' or '?' or '#' or '&' or '='))
            throw new ArgumentException("hostname contains characters no DNS name has", nameof(Hostname));
    }
}
