using System.Net;
using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Act.Ddns.Engine;

/// <summary>What asking the server about one record found.</summary>
public enum DnsServing
{
    /// <summary>It holds the address.</summary>
    Served,

    /// <summary>It answered, and holds another address or none.</summary>
    NotServed,

    /// <summary>It could not be asked or its answer not read (timeout, unreachable, SERVFAIL, HTTP error): no conclusion either way.</summary>
    Unknown,
}

/// <summary>Checks whether the authoritative server already serves a record.</summary>
public interface IDnsVerifier
{
    /// <summary>
    /// True when <paramref name="name"/> has an A (IPv4) or AAAA (IPv6) record holding
    /// <paramref name="address"/>. Failures to ask count as false; only cancellation throws.
    /// </summary>
    Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ServesAsync"/>, but tells "holds something else" from "could not ask": a drift check must not
    /// correct a record only because the server was unreachable. A verifier that cannot tell them apart keeps this
    /// default (a throw is <see cref="DnsServing.Unknown"/>). Only cancellation throws.
    /// </summary>
    async Task<DnsServing> CheckAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        try
        {
            return await ServesAsync(name, address, cancellationToken).ConfigureAwait(false) ? DnsServing.Served : DnsServing.NotServed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // a verifier that breaks its contract has told nothing
        catch (Exception)
#pragma warning restore CA1031
        {
            return DnsServing.Unknown;
        }
    }
}

/// <summary>QUERYs one authoritative server (for RFC 2136, the server that takes the updates).</summary>
public sealed class AuthoritativeVerifier(Rfc2136Client client) : IDnsVerifier
{
    private readonly Rfc2136Client _client = client ?? throw new ArgumentNullException(nameof(client));

    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken) =>
        await CheckAsync(name, address, cancellationToken).ConfigureAwait(false) == DnsServing.Served;

    /// <summary>An answer (NOERROR, or NXDOMAIN: the name has no records) decides; no answer, SERVFAIL, REFUSED… are Unknown.</summary>
    public async Task<DnsServing> CheckAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!DnsName.TryParse(name, out var dnsName))
            return DnsServing.Unknown;
        var wanted = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var type = wanted.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.Aaaa : DnsRecordType.A;
        var result = await _client.QueryAsync(dnsName, type, cancellationToken).ConfigureAwait(false);
        if (Serves(result, type, wanted))
            return DnsServing.Served;
        return result.Succeeded || result is { Status: Rfc2136Status.DnsError, Rcode: DnsRcode.NXDomain } ? DnsServing.NotServed : DnsServing.Unknown;
    }

    internal static bool Serves(Rfc2136Result result, DnsRecordType type, IPAddress wanted) =>
        result.Succeeded && result.Response is { } response
        && response.Answers.Any(a => a.Type == type && a.Address is { } served && served.Equals(wanted));
}
