namespace Rebound.Act.Ddns.Http;

/// <summary>
/// deSEC dynDNS client: <c>GET /nic/update?hostname=..&amp;myipv4=..&amp;myipv6=..</c>, basic auth with the
/// token as password. deSEC deletes a family's record when its parameter is missing, so the family not
/// being updated is always sent as <c>preserve</c>. Updates are gated to one per minute per domain, as
/// deSEC throttles, and a 429 closes the gate for as long as its Retry-After says.
/// </summary>
public sealed class DesecProvider : IDdnsProvider, IDisposable
{
    private const string Preserve = "preserve";

    private readonly DesecOptions _options;
    private readonly DdnsHttpSender _sender;
    private readonly DdnsRateGate _gate;
    private readonly string[] _secrets;

    public DesecProvider(DesecOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _secrets = [options.Token];
        var clock = timeProvider ?? TimeProvider.System;
        _sender = new DdnsHttpSender(httpClient, options.Timeout, clock);
        _gate = new DdnsRateGate(options.MinimumInterval, clock);
    }

    public async Task<DdnsUpdateResult> UpdateAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        update.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var name = update.Name;
        var user = _options.Username ?? name;
        if (!_gate.TryEnter(user, out var remaining))
            return DdnsUpdateResult.RetryLater(remaining, $"{name}: deSEC allows one update per minute for {user}; waiting");

        bool v6 = update.Family == Decide.IpFamily.Ipv6;
        var address = Uri.EscapeDataString(update.AddressText);
        var query = $"hostname={Uri.EscapeDataString(name)}&myipv4={(v6 ? Preserve : address)}&myipv6={(v6 ? address : Preserve)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_options.BaseUri, $"{_options.UpdatePath}?{query}"));
        request.Headers.Authorization = DdnsBasicAuth.Header(user, _options.Token);
        var reply = await _sender.SendAsync(request, _secrets, cancellationToken);

        if (reply.Failure is { } failure)
            return DdnsUpdateResult.RetryLater(Max(_options.TransientRetry, _options.MinimumInterval), $"{name}: {failure}");
        if (reply.Code == 429)
        {
            var wait = reply.RetryAfter ?? _options.MinimumInterval;
            _gate.HoldFor(user, wait);
            return DdnsUpdateResult.RetryLater(wait, $"{name}: deSEC is throttling updates (HTTP 429)");
        }
        if (reply.Code >= 500)
            return DdnsUpdateResult.RetryLater(Max(reply.RetryAfter ?? _options.TransientRetry, _options.MinimumInterval), $"{name}: server error (HTTP {reply.Code})");
        if (reply.Code is >= 300 and < 400)
            return DdnsUpdateResult.Fatal($"{name}: server redirected (HTTP {reply.Code}); check the base URL");
        if (reply.Code == 401)
            return DdnsUpdateResult.Fatal($"{name}: deSEC rejected the credentials (HTTP 401: wrong token or user {user})");
        if (reply.Code is >= 400 and < 500)
            return DdnsUpdateResult.Fatal($"{name}: deSEC refused the update (HTTP {reply.Code}: {DdnsText.Sanitise(reply.Body, _secrets, 80)})");

        var code = reply.Body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return code switch
        {
            "good" => DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}"),
            "nochg" => DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText} (nochg)"),
            _ => DdnsUpdateResult.RetryLater(Max(_options.TransientRetry, _options.MinimumInterval),
                $"{name}: unexpected answer '{DdnsText.Sanitise(code, _secrets, 40)}' (HTTP {reply.Code})"),
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public void Dispose() => _sender.Dispose();
}
