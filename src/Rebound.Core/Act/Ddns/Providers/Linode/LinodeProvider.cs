using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Linode;

/// <summary>
/// Linode API v4 (<c>Authorization: Bearer</c>): finds the domain's id once (<c>GET /v4/domains</c> with
/// <c>X-Filter: {"domain": …}</c>), lists its records (<c>GET /v4/domains/ID/records</c>, paged; names relative, the
/// apex empty), PUTs the one record's <c>target</c>, or POSTs a new one. Errors are <c>{"errors":[{"reason"}]}</c>.
/// </summary>
public sealed class LinodeProvider : RecordApiProvider<LinodeOptions>
{
    private const int PageSize = 500;
    private string? _domainId;

    public LinodeProvider(LinodeOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override string Label => "Linode";

    private protected override string Credential => "token";

    private protected override string Apex => "";

    private protected override void Authorize(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Options.Token}");
        if (request.RequestUri?.AbsolutePath == "/v4/domains")
            request.Headers.TryAddWithoutValidation("X-Filter", new JsonObject { ["domain"] = Domain }.ToJsonString());
    }

    private protected override async Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (_domainId is null)
        {
            var domains = await SendAsync(HttpMethod.Get, "/v4/domains", null, cancellationToken);
            if (Failure(domains, name, "domain lookup", ErrorOf(domains.Body)) is { } lookupFailure)
                return ([], lookupFailure);
            _domainId = DdnsJson.Items(DdnsJson.Parse(domains.Body)?["data"])
                .Where(d => string.Equals(DdnsJson.Text(d["domain"]), Domain, StringComparison.OrdinalIgnoreCase))
                .Select(d => DdnsJson.Text(d["id"])).FirstOrDefault();
            if (string.IsNullOrEmpty(_domainId))
                return ([], DdnsUpdateResult.Fatal($"{name}: domain {Domain} not found at Linode (or the token cannot see it)"));
        }

        var held = new List<ApiRecord>();
        for (int page = 1, pages = 1; page <= pages; page++)
        {
            var reply = await SendAsync(HttpMethod.Get, $"{RecordsPath}?page={page}&page_size={PageSize}", null, cancellationToken);
            if (Failure(reply, name, "record list", ErrorOf(reply.Body)) is { } listFailure)
                return ([], listFailure);
            var node = DdnsJson.Parse(reply.Body);
            pages = DdnsJson.Int(node?["pages"]) ?? 1;
            held.AddRange(DdnsJson.Items(node?["data"])
                .Where(r => DdnsJson.Text(r["type"]) == update.RecordType && string.Equals(DdnsJson.Text(r["name"]), relative, StringComparison.OrdinalIgnoreCase))
                .Select(r => new ApiRecord(DdnsJson.Text(r["id"]), DdnsJson.Text(r["target"]) ?? "", DdnsJson.Int(r["ttl_sec"]))));
        }
        return (held, null);
    }

    private string RecordsPath => $"/v4/domains/{Uri.EscapeDataString(_domainId ?? "")}/records";

    private protected override async Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken)
    {
        var reply = held is [var record]
            ? await SendAsync(HttpMethod.Put, $"{RecordsPath}/{Uri.EscapeDataString(record.Id ?? "")}", Options.Ttl is { } ttl ? new JsonObject { ["target"] = update.AddressText, ["ttl_sec"] = ttl } : new JsonObject { ["target"] = update.AddressText }, cancellationToken)
            : await SendAsync(HttpMethod.Post, RecordsPath, new JsonObject
            {
                ["type"] = update.RecordType,
                ["name"] = relative,
                ["target"] = update.AddressText,
                ["ttl_sec"] = TtlFor(held, LinodeOptions.DefaultTtl),
            }, cancellationToken);
        // A domain deleted (and maybe re-created) since the lookup: look it up again next time.
        if (reply.Code == 404)
            _domainId = null;
        return Failure(reply, update.Name, held.Count == 1 ? "update" : "create", ErrorOf(reply.Body));
    }

    private static string? ErrorOf(string body) =>
        string.Join("; ", DdnsJson.Items(DdnsJson.Parse(body)?["errors"])
            .Select(e => DdnsJson.Text(e["field"]) is { } field ? $"{field}: {DdnsJson.Text(e["reason"])}" : DdnsJson.Text(e["reason"])));
}
