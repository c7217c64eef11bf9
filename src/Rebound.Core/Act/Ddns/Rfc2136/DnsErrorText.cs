namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>One-line, admin-facing explanations of RCODEs and TSIG errors.</summary>
public static class DnsErrorText
{
    public static string Describe(DnsRcode rcode, DnsName subject) => rcode switch
    {
        DnsRcode.NoError => "NOERROR",
        DnsRcode.FormErr => "FORMERR: the server could not parse the request",
        DnsRcode.ServFail => "SERVFAIL: the server failed to process the request (see its log)",
        DnsRcode.NXDomain => $"NXDOMAIN: {subject} does not exist",
        DnsRcode.NotImp => "NOTIMP: the server does not implement this request (not an UPDATE-capable primary?)",
        DnsRcode.Refused => $"REFUSED: the server refused the request for {subject} (update-policy/allow-update does not permit this key or name, or it is not the primary)",
        DnsRcode.YXDomain or DnsRcode.YXRRSet or DnsRcode.NXRRSet => $"{rcode.ToString().ToUpperInvariant()}: an update prerequisite failed",
        DnsRcode.NotAuth => $"NOTAUTH: the server is not authoritative for zone {subject} (wrong zone or server?), or the request is not authorized",
        DnsRcode.NotZone => $"NOTZONE: a name in the update is not inside zone {subject}",
        _ => $"RCODE {(int)rcode}: the server rejected the request",
    };

    public static string DescribeTsig(DnsTsigRecord tsig, TsigKey key, long now)
    {
        ArgumentNullException.ThrowIfNull(tsig);
        ArgumentNullException.ThrowIfNull(key);
        return tsig.Error switch
        {
            DnsRcode.BadSig => $"TSIG BADSIG: the server rejected the signature made with key {key.Name} ({key.Algorithm.Text()}): the secret does not match the server's",
            DnsRcode.BadKey => $"TSIG BADKEY: the server does not know key {key.Name} with algorithm {key.Algorithm.Text()}",
            DnsRcode.BadTime =>
                $"TSIG BADTIME: clock skew between this host ({Tsig.FormatTime(now)}) and the server"
                + (tsig.ServerTime is { } server ? $" ({Tsig.FormatTime(server)}, {now - server:+0;-0} s)" : "")
                + $" exceeds the {tsig.Fudge} s fudge; check NTP",
            DnsRcode.BadTrunc => "TSIG BADTRUNC: the server rejected the truncated MAC",
            _ => $"TSIG error {(int)tsig.Error}: the server rejected the signature of key {key.Name}",
        };
    }
}
