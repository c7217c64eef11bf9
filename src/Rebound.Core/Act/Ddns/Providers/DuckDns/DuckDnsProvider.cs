using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.DuckDns;

/// <summary>
/// DuckDNS update client: <c>GET /update?domains=&lt;sub&gt;&amp;token=..&amp;ip=&lt;v4&gt;</c> for A, or
/// <c>&amp;ipv6=&lt;v6&gt;</c> for AAAA (the spec says a given ipv6 turns off the IPv4 autodetection, so an
/// AAAA update does not touch the A record). The body is <c>OK</c> or <c>KO</c>; KO is all DuckDNS says
/// about a bad token or a subdomain not in the account, so it is fatal.
/// </summary>
public sealed class DuckDnsProvider : HttpDdnsProvider<DuckDnsOptions>
{
    internal const string Suffix = ".duckdns.org";


    public DuckDnsProvider(DuckDnsOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    /// <summary>The subname DuckDNS wants: "home" for home.duckdns.org (a bare "home" is taken as is).</summary>
    internal static string SubdomainOf(string name) =>
        name.EndsWith(Suffix, StringComparison.Ordinal) ? name[..^Suffix.Length] : name;

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        var sub = SubdomainOf(name);
        if (sub.Length == 0 || sub.Contains(','))
            return DdnsUpdateResult.Fatal($"{name}: not a DuckDNS name (expected <sub>.duckdns.org)");

        var parameter = update.Family == Decide.IpFamily.Ipv6 ? "ipv6" : "ip";
        var query = $"domains={Uri.EscapeDataString(sub)}&token={Uri.EscapeDataString(Options.Token)}&{parameter}={Uri.EscapeDataString(update.AddressText)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Options.BaseUri, $"/update?{query}"));
        var reply = await SendAsync(request, cancellationToken);
        if (CommonOutcome(reply, name) is { } common)
            return common;

        var first = reply.Body.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        if (reply.IsSuccessStatus && first == "OK")
            return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}");
        if (first == "KO")
            return DdnsUpdateResult.Fatal($"{name}: DuckDNS refused the update (KO: bad token, or subdomain not in this account)");
        return Unexpected(name, first, reply);
    }
}
