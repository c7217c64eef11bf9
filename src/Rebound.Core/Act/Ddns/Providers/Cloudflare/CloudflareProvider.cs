using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Cloudflare;

/// <summary>
/// Cloudflare API v4 client: looks up the zone ID and the record ID once (then caches them), and PATCHes
/// only the record's content. Every answer's <c>success</c> and <c>errors[]</c> are checked. The record
/// must already exist: creating records is a configuration decision, not something to do during a failover.
/// </summary>
public sealed class CloudflareProvider : HttpDdnsProvider<CloudflareOptions>
{
    private const string ApiPrefix = "/client/v4";

    private readonly string _zone;
    private readonly ConcurrentDictionary<string, string> _recordIds = new(StringComparer.Ordinal);
    private string? _zoneId;

    public CloudflareProvider(CloudflareOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
        _zone = options.ZoneName.TrimEnd('.').ToLowerInvariant();
        _zoneId = options.ZoneId;
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (name != _zone && !name.EndsWith("." + _zone, StringComparison.Ordinal))
            return DdnsUpdateResult.Fatal($"{name}: not inside the configured zone {_zone}");

        var zone = await ZoneIdAsync(name, cancellationToken);
        if (zone.Failure is { } zoneFailure)
            return zoneFailure;

        // A cached record ID can go stale (record deleted and re-created): one fresh lookup, then give up.
        for (int attempt = 0; ; attempt++)
        {
            string recordId;
            var key = $"{update.RecordType} {name}";
            if (_recordIds.TryGetValue(key, out var cached))
            {
                recordId = cached;
            }
            else
            {
                var lookup = await RecordIdAsync(zone.Id!, update, cancellationToken);
                if (lookup.Failure is { } lookupFailure)
                    return lookupFailure;
                _recordIds[key] = lookup.Id!;
                if (lookup.Unchanged)
                    return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");
                recordId = lookup.Id!;
            }

            var patched = await PatchAsync(zone.Id!, recordId, update, cancellationToken);
            if (patched.Code == 404 && attempt == 0)
            {
                _recordIds.TryRemove(key, out _);
                continue;
            }
            if (patched.Code == 404)
                _recordIds.TryRemove(key, out _);
            return patched.Result;
        }
    }

    private async Task<(string? Id, DdnsUpdateResult? Failure)> ZoneIdAsync(string name, CancellationToken token)
    {
        if (_zoneId is { } known)
            return (known, null);

        var reply = await GetAsync($"{ApiPrefix}/zones?name={Uri.EscapeDataString(_zone)}", token);
        var (zones, failure) = Parse(reply, name, "zone lookup", CloudflareJsonContext.Default.CloudflareResponseCloudflareZoneArray);
        if (failure is not null)
            return (null, failure);
        var match = zones?.FirstOrDefault(z => string.Equals(z.Name?.TrimEnd('.'), _zone, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(z.Id));
        if (match is null)
            return (null, DdnsUpdateResult.Fatal($"{name}: zone {_zone} not found (or the token cannot read it)"));
        _zoneId = match.Id;
        return (match.Id, null);
    }

    private async Task<(string? Id, bool Unchanged, DdnsUpdateResult? Failure)> RecordIdAsync(string zoneId, DdnsRecordUpdate update, CancellationToken token)
    {
        var name = update.Name;
        var path = $"{ApiPrefix}/zones/{Uri.EscapeDataString(zoneId)}/dns_records?type={update.RecordType}&name={Uri.EscapeDataString(name)}";
        var reply = await GetAsync(path, token);
        var (records, failure) = Parse(reply, name, "record lookup", CloudflareJsonContext.Default.CloudflareResponseCloudflareDnsRecordArray);
        if (failure is not null)
            return (null, false, failure);
        var matches = (records ?? []).Where(r => !string.IsNullOrEmpty(r.Id)
            && string.Equals(r.Type, update.RecordType, StringComparison.OrdinalIgnoreCase)
            && string.Equals(r.Name?.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
            return (null, false, DdnsUpdateResult.Fatal($"{name}: no {update.RecordType} record of that name in zone {_zone}; create it first"));
        if (matches.Count > 1)
            return (null, false, DdnsUpdateResult.Fatal($"{name}: {matches.Count} {update.RecordType} records of that name; refusing to guess which to change"));
        var record = matches[0];
        bool same = System.Net.IPAddress.TryParse(record.Content, out var current) && current.ToString() == update.AddressText
            && (Options.Ttl is null || record.Ttl is null || record.Ttl == Options.Ttl);
        return (record.Id, same, null);
    }

    private async Task<(int Code, DdnsUpdateResult Result)> PatchAsync(string zoneId, string recordId, DdnsRecordUpdate update, CancellationToken token)
    {
        var name = update.Name;
        var path = $"{ApiPrefix}/zones/{Uri.EscapeDataString(zoneId)}/dns_records/{Uri.EscapeDataString(recordId)}";
        var body = JsonSerializer.Serialize(new CloudflareContentPatch { Content = update.AddressText, Ttl = Options.Ttl }, CloudflareJsonContext.Default.CloudflareContentPatch);
        using var request = NewRequest(HttpMethod.Patch, path);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var reply = await SendAsync(request, token);
        if (reply.Code == 404)
            return (404, DdnsUpdateResult.Fatal($"{name}: {update.RecordType} record {recordId} no longer exists in zone {_zone}"));
        var (_, failure) = Parse(reply, name, "update", CloudflareJsonContext.Default.CloudflareResponseCloudflareDnsRecord);
        return (reply.Code, failure ?? DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}"));
    }

    private async Task<DdnsHttpReply> GetAsync(string path, CancellationToken token)
    {
        using var request = NewRequest(HttpMethod.Get, path);
        return await SendAsync(request, token);
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(Options.BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.ApiToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>The result of a successful answer, or the outcome that ends this update.</summary>
    private (T? Result, DdnsUpdateResult? Failure) Parse<T>(DdnsHttpReply reply, string name, string step, JsonTypeInfo<CloudflareResponse<T>> type)
    {
        CloudflareResponse<T>? envelope = null;
        try
        {
            envelope = reply.Failure is null ? JsonSerializer.Deserialize(reply.Body, type) : null;
        }
        catch (JsonException)
        {
            // Proxies and outages answer with HTML; the status code below still decides.
        }
        var errors = ErrorsOf(envelope?.Errors);
        var detail = errors.Length > 0 ? $": {errors}" : "";
        if (CommonOutcome(reply, $"{name}: {step}", detail) is { } common)
            return (default, common);

        var code = reply.Code;
        if (code == 401)
            return (default, DdnsUpdateResult.Fatal($"{name}: {step}: API token invalid or expired (HTTP 401){detail}"));
        if (code == 403)
            return (default, DdnsUpdateResult.Fatal($"{name}: {step}: API token lacks permission for this (HTTP 403; needs Zone:Read and DNS:Edit){detail}"));
        if (code >= 400)
            return (default, DdnsUpdateResult.Fatal($"{name}: {step}: request rejected (HTTP {code}){detail}"));
        if (envelope is null)
            return (default, DdnsUpdateResult.RetryLater(Options.TransientRetry, $"{name}: {step}: unreadable answer (HTTP {code})"));
        if (!envelope.Success || errors.Length > 0)
            return (default, DdnsUpdateResult.RetryLater(Options.TransientRetry, $"{name}: {step}: API reported failure (HTTP {code}){detail}"));
        return (envelope.Result, null);
    }

    private string ErrorsOf(CloudflareError[]? errors)
    {
        if (errors is null || errors.Length == 0)
            return "";
        var joined = string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}"));
        return Sanitise(joined, 160);
    }
}
