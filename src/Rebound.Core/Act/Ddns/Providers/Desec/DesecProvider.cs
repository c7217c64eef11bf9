using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Desec;

/// <summary>
/// deSEC dynDNS client: <c>GET /nic/update?hostname=..&amp;myipv4=..&amp;myipv6=..</c>, basic auth with the
/// token as password. deSEC deletes a family's record when its parameter is missing, so the family not
/// being updated is always sent as <c>preserve</c>. Updates are gated to one per minute per domain, as
/// deSEC throttles, and a 429 closes the gate for as long as its Retry-After says.
/// </summary>
public sealed class DesecProvider : HttpDdnsProvider<DesecOptions>
{
    private const string Preserve = "preserve";

    private readonly DdnsRateGate _gate;

    public DesecProvider(DesecOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
        _gate = new DdnsRateGate(options.MinimumInterval, Time);
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        var user = Options.Username ?? name;
        if (!_gate.TryEnter(user, out var remaining))
            return DdnsUpdateResult.RetryLater(remaining, $"{name}: deSEC allows one update per minute for {user}; waiting");

        bool v6 = update.Family == Decide.IpFamily.Ipv6;
        var address = Uri.EscapeDataString(update.AddressText);
        var query = $"hostname={Uri.EscapeDataString(name)}&myipv4={(v6 ? Preserve : address)}&myipv6={(v6 ? address : Preserve)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Options.BaseUri, $"{Options.UpdatePath}?{query}"));
        request.Headers.Authorization = DdnsBasicAuth.Header(user, Options.Token);
        var reply = await SendAsync(request, cancellationToken);

        if (reply.Code == 429)
        {
            // deSEC's own limit: the gate stays shut as long as it says, so no other record of the domain tries meanwhile.
            var wait = reply.RetryAfter ?? Options.MinimumInterval;
            _gate.HoldFor(user, wait);
            return DdnsUpdateResult.RetryLater(wait, $"{name}: deSEC is throttling updates (HTTP 429)");
        }

        if (CommonOutcome(reply, name) is { } common)
            return common;
        if (reply.Code == 401)
            return DdnsUpdateResult.Fatal($"{name}: deSEC rejected the credentials (HTTP 401: wrong token or user {user})");
        if (reply.Code is >= 400 and < 500)
            return DdnsUpdateResult.Fatal($"{name}: deSEC refused the update (HTTP {reply.Code}: {Sanitise(reply.Body, 80)})");

        var code = reply.Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return code switch
        {
            "good" => DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}"),
            "nochg" => DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText} (nochg)"),
            _ => Unexpected(name, code, reply),
        };
    }
}
