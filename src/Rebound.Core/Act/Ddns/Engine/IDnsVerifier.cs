using System.Net;
using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Act.Ddns.Engine;

/// <summary>Checks whether the authoritative server already serves a record.</summary>
public interface IDnsVerifier
{
    /// <summary>
    /// True when <paramref name="name"/> has an A (IPv4) or AAAA (IPv6) record holding
    /// <paramref name="address"/>. Failures to ask count as false; only cancellation throws.
    /// </summary>
    Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken);
}

/// <summary>QUERYs one authoritative server (for RFC 2136, the server that takes the updates).</summary>
public sealed class AuthoritativeVerifier(Rfc2136Client client) : IDnsVerifier
{
    private readonly Rfc2136Client _client = client ?? throw new ArgumentNullException(nameof(client));

    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!DnsName.TryParse(name, out var dnsName))
            return false;
        var wanted = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var type = wanted.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;
        var result = await _client.QueryAsync(dnsName, type, cancellationToken).ConfigureAwait(false);
        return Serves(result, type, wanted);
    }

    internal static bool Serves(Rfc2136Result result, DnsRecordType type, IPAddress wanted) =>
        result.Succeeded && result.Response is { } response
        && response.Answers.Any(a => a.Type == type && a.Address is { } served && served.Equals(wanted));
}
