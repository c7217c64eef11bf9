namespace Rebound.Act.Ddns.Http;

/// <summary>
/// dyndns2 update client: <c>GET /nic/update?hostname=..&amp;myip=..</c> with basic auth. The address is
/// always sent explicitly: letting the server take the connection's source address would record
/// whichever uplink the request happened to leave through, which is wrong during a failover.
/// </summary>
public sealed class Dyndns2Provider : IDdnsProvider, IDisposable
{
    private readonly Dyndns2Options _options;
    private readonly DdnsHttpSender _sender;
    private readonly string[] _secrets;

    public Dyndns2Provider(Dyndns2Options options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _secrets = [options.Password];
        _sender = new DdnsHttpSender(httpClient, options.Timeout, timeProvider);
    }

    public async Task<DdnsUpdateResult> UpdateAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        update.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var query = $"hostname={Uri.EscapeDataString(update.Name)}&myip={Uri.EscapeDataString(update.AddressText)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.BaseUri, $"{_options.UpdatePath}?{query}"));
        request.Headers.Authorization = DdnsBasicAuth.Header(_options.Username, _options.Password);
        var reply = await _sender.SendAsync(request, _secrets, cancellationToken);

        var name = update.Name;
        if (reply.Failure is { } failure)
            return DdnsUpdateResult.RetryLater(_options.TransientRetry, $"{name}: {failure}");
        if (reply.Code == 429)
            return DdnsUpdateResult.RetryLater(reply.RetryAfter ?? _options.TransientRetry, $"{name}: rate limited (HTTP 429)");
        if (reply.Code >= 500)
            return DdnsUpdateResult.RetryLater(reply.RetryAfter ?? _options.TransientRetry, $"{name}: server error (HTTP {reply.Code})");
        if (reply.Code is >= 300 and < 400)
            return DdnsUpdateResult.Fatal($"{name}: server redirected (HTTP {reply.Code}); check the base URL");

        // Most servers answer 200 for every return code, some use 401 etc. with the code in the body:
        // the body decides when it holds a code; a bare 401 means the credentials were refused.
        var result = Dyndns2Answer.Map(reply.Body, update, _options, _secrets);
        if (reply.Code == 401 && result.Outcome == DdnsOutcome.RetryLater)
            return DdnsUpdateResult.Fatal($"{name}: username or password rejected (HTTP 401)");
        if (!reply.IsSuccessStatus && result.Succeeded)
            return DdnsUpdateResult.RetryLater(_options.TransientRetry, $"{name}: success text with HTTP {reply.Code}");
        if (!reply.IsSuccessStatus && result.Outcome == DdnsOutcome.RetryLater)
            return DdnsUpdateResult.RetryLater(result.RetryAfter, $"{result.Message} (HTTP {reply.Code})");
        return result;
    }

    public void Dispose() => _sender.Dispose();
}
