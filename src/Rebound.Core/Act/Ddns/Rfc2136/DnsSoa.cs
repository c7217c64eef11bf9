namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>Decoded SOA RDATA (RFC 1035 §3.3.13).</summary>
public sealed record DnsSoa(
    DnsName PrimaryServer, DnsName ResponsibleMailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint Minimum);
