using Rebound.Act.Ddns.Rfc2136;

namespace Rebound.Act.Ddns.Engine;

/// <summary>
/// Pushes a batch as one atomic RFC 2136 UPDATE of <c>zone</c> (all names change or none do), and maps
/// the result: Success → Updated; Timeout/Unreachable/InvalidResponse/SERVFAIL… → RetryLater(30 s);
/// TSIG BADTIME → RetryLater (the message says whose clock is off); BADSIG, BADKEY, NOTAUTH, NOTZONE,
/// REFUSED → Fatal (configuration problems retrying cannot fix).
/// </summary>
public sealed class Rfc2136Updater : IDdnsUpdater
{
    /// <summary>The delay of every RetryLater this updater returns.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    private readonly Rfc2136Client _client;
    private readonly DnsName _zone;
    private readonly uint _ttl;

    public Rfc2136Updater(Rfc2136Client client, DnsName zone, uint ttl)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(zone);
        _client = client;
        _zone = zone;
        _ttl = ttl;
    }

    public async Task<DdnsUpdateResult> UpdateAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var records = new List<DnsAddressUpdate>(updates.Count);
        foreach (var update in updates)
        {
            if (!DnsName.TryParse(update.Hostname, out var name))
                return DdnsUpdateResult.Fatal($"'{update.Name}' is not a valid DNS name");
            if (!name.IsSubdomainOf(_zone))
                return DdnsUpdateResult.Fatal($"{update.Name} is not in zone {_zone}");
            records.Add(new DnsAddressUpdate(name, update.Address, _ttl));
        }

        if (records.Count == 0)
            return DdnsUpdateResult.Unchanged("nothing to send");

        Rfc2136Result result;
        try
        {
            result = await _client.UpdateAsync(_zone, records, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            return DdnsUpdateResult.Fatal($"update of zone {_zone} rejected before sending: {ex.GetType().Name}");
        }

        return Map(result);
    }

    /// <summary>The mapping described on the class.</summary>
    public static DdnsUpdateResult Map(Rfc2136Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string message = DdnsText.Sanitise(result.Message, [], maxLength: 200);
        return result.Status switch
        {
            Rfc2136Status.Success => DdnsUpdateResult.Updated(message),
            Rfc2136Status.TsigError when result.Rcode is DnsRcode.BadSig or DnsRcode.BadKey => DdnsUpdateResult.Fatal(message),
            Rfc2136Status.DnsError when result.Rcode is DnsRcode.NotAuth or DnsRcode.NotZone or DnsRcode.Refused => DdnsUpdateResult.Fatal(message),
            // BADTIME (clock skew), unverifiable answers, SERVFAIL, timeouts, unreachable, malformed: transient.
            _ => DdnsUpdateResult.RetryLater(RetryDelay, message),
        };
    }
}
