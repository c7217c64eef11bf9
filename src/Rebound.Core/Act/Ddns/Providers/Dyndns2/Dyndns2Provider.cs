using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Dyndns2;

/// <summary>
/// dyndns2 update client: <c>GET /nic/update?hostname=..&amp;myip=..</c> with basic auth. The address is
/// always sent explicitly: letting the server take the connection's source address would record
/// whichever uplink the request happened to leave through, which is wrong during a failover.
/// </summary>
public sealed class Dyndns2Provider : HttpDdnsProvider<Dyndns2Options>
{

    public Dyndns2Provider(Dyndns2Options options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var query = (Options.ExtraQuery is { Length: > 0 } extra ? extra + "&" : "") + $"hostname={Uri.EscapeDataString(update.Name)}&myip={Uri.EscapeDataString(update.AddressText)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Options.BaseUri, $"{Options.UpdatePath}?{query}"));
        request.Headers.Authorization = DdnsBasicAuth.Header(Options.Username, Options.Password);
        var reply = await SendAsync(request, cancellationToken);

        var name = update.Name;
        if (CommonOutcome(reply, name) is { } common)
            return common;

        // Most servers answer 200 for every return code, some use 401 etc. with the code in the body:
        // the body decides when it holds a code; a bare 401 means the credentials were refused.
        var result = Dyndns2Answer.Map(reply.Body, update, Options, Secrets);
        if (reply.Code == 401 && result.Outcome == DdnsOutcome.RetryLater)
            return DdnsUpdateResult.Fatal($"{name}: username or password rejected (HTTP 401)");
        if (!reply.IsSuccessStatus && result.Succeeded)
            return DdnsUpdateResult.RetryLater(Options.TransientRetry, $"{name}: success text with HTTP {reply.Code}");
        if (!reply.IsSuccessStatus && result.Outcome == DdnsOutcome.RetryLater)
            return DdnsUpdateResult.RetryLater(result.RetryAfter, $"{result.Message} (HTTP {reply.Code})");
        return result;
    }
}
