namespace Rebound.Act.Ddns.Http;

/// <summary>
/// DuckDNS update client: <c>GET /update?domains=&lt;sub&gt;&amp;token=..&amp;ip=&lt;v4&gt;</c> for A, or
/// <c>&amp;ipv6=&lt;v6&gt;</c> for AAAA (the spec says a given ipv6 turns off the IPv4 autodetection, so an
/// AAAA update does not touch the A record). The body is <c>OK</c> or <c>KO</c>; KO is all DuckDNS says
/// about a bad token or a subdomain not in the account, so it is fatal.
/// </summary>
public sealed class DuckDnsProvider : IDdnsProvider, IDisposable
{
    private const string Suffix = ".duckdns.org";

    private readonly DuckDnsOptions _options;
    private readonly DdnsHttpSender _sender;
    private readonly string[] _secrets;

    public DuckDnsProvider(DuckDnsOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _secrets = [options.Token];
        _sender = new DdnsHttpSender(httpClient, options.Timeout, timeProvider);
    }

    /// <summary>The subname DuckDNS wants: "home" for home.duckdns.org (a bare "home" is taken as is).</summary>
    internal static string SubdomainOf(string name) =>
        name.EndsWith(Suffix, StringComparison.Ordinal) ? name[..^Suffix.Length] : name;

    public async Task<DdnsUpdateResult> UpdateAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        update.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var name = update.Name;
        var sub = SubdomainOf(name);
        if (sub.Length == 0 || sub.Contains(','))
            return DdnsUpdateResult.Fatal($"{name}: not a DuckDNS name (expected <sub>.duckdns.org)");

        var parameter = update.Family == Decide.IpFamily.Ipv6 ? "ipv6" : "ip";
        var query = $"domains={Uri.EscapeDataString(sub)}&token={Uri.EscapeDataString(_options.Token)}&{parameter}={Uri.EscapeDataString(update.AddressText)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.BaseUri, $"/update?{query}"));
        var reply = await _sender.SendAsync(request, _secrets, cancellationToken);

        if (reply.Failure is { } failure)
            return DdnsUpdateResult.RetryLater(_options.TransientRetry, $"{name}: {failure}");
        if (reply.Code == 429)
            return DdnsUpdateResult.RetryLater(reply.RetryAfter ?? _options.TransientRetry, $"{name}: rate limited (HTTP 429)");
        if (reply.Code >= 500)
            return DdnsUpdateResult.RetryLater(reply.RetryAfter ?? _options.TransientRetry, $"{name}: server error (HTTP {reply.Code})");
        if (reply.Code is >= 300 and < 400)
            return DdnsUpdateResult.Fatal($"{name}: server redirected (HTTP {reply.Code}); check the base URL");

        var first = reply.Body.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        if (reply.IsSuccessStatus && first == "OK")
            return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}");
        if (first == "KO")
            return DdnsUpdateResult.Fatal($"{name}: DuckDNS refused the update (KO: bad token, or subdomain not in this account)");
        var shown = DdnsText.Sanitise(first, _secrets, 40);
        return DdnsUpdateResult.RetryLater(_options.TransientRetry, $"{name}: unexpected answer '{shown}' (HTTP {reply.Code})");
    }

    public void Dispose() => _sender.Dispose();
}
