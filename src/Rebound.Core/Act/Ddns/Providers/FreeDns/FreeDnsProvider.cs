using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.FreeDns;

/// <summary>
/// FreeDNS (afraid.org) dynamic update v2: <c>GET /u/TOKEN/?ip=…</c> at sync.afraid.org (A) or v6.sync.afraid.org
/// (AAAA). The token names the record, so the host name is only what the answer reports: <c>Updated N host(s) …</c>,
/// <c>No IP change detected for …</c>, or <c>ERROR: …</c> (a token it does not know; answered with HTTP 200 too).
/// There is no way to read the record back.
/// </summary>
public sealed class FreeDnsProvider : HttpDdnsProvider<FreeDnsOptions>
{
    public FreeDnsProvider(FreeDnsOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        var server = update.RecordType == "A" ? Options.Ipv4Uri : Options.Ipv6Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, $"u/{Uri.EscapeDataString(Options.Token)}/?ip={Uri.EscapeDataString(update.AddressText)}"));
        var reply = await SendAsync(request, cancellationToken);
        if (CommonOutcome(reply, name) is { } common)
            return common;

        var answer = reply.Body.Trim();
        var said = Sanitise(answer, 100);
        if (answer.StartsWith("ERROR", StringComparison.OrdinalIgnoreCase))
        {
            return answer.Contains("Unable to locate", StringComparison.OrdinalIgnoreCase)
                ? DdnsUpdateResult.Fatal($"{name}: FreeDNS does not know the token (check it is this record's update token): {said}")
                : DdnsUpdateResult.Fatal($"{name}: FreeDNS refused the update: {said}");
        }
        if (reply.Code >= 400)
            return DdnsUpdateResult.Fatal($"{name}: FreeDNS rejected the request (HTTP {reply.Code}){(said.Length > 0 ? ": " + said : "")}");
        if (answer.StartsWith("Updated", StringComparison.OrdinalIgnoreCase))
            return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText} ({said})");
        if (answer.StartsWith("No IP change detected", StringComparison.OrdinalIgnoreCase))
            return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");
        return Unexpected(name, answer, reply);
    }
}
