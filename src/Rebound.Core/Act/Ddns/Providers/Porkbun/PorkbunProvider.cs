using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Porkbun;

/// <summary>
/// Porkbun API v3: every call is a POST under <c>/api/json/v3/</c> whose JSON body carries <c>apikey</c> and
/// <c>secretapikey</c>, answered <c>{"status":"SUCCESS"|"ERROR","message"}</c> (errors with HTTP 400 or more). Reads
/// <c>dns/retrieveByNameType/DOMAIN/TYPE/SUB</c> (the apex: no SUB), then edits the one record by id
/// (<c>dns/edit/DOMAIN/ID</c>) or creates it (<c>dns/create/DOMAIN</c>). The domain needs API access turned on.
/// </summary>
public sealed class PorkbunProvider : RecordApiProvider<PorkbunOptions>
{
    private const string Prefix = "/api/json/v3/dns";

    public PorkbunProvider(PorkbunOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    // Porkbun refuses an edit that keeps the content ("Edit error"), so a new ttl waits for the next address.
    private protected override bool RewritesForTtl => false;

    private protected override string Label => "Porkbun";

    private protected override string Credential => "API keys";

    private protected override string Apex => "";

    private string DomainPart => Uri.EscapeDataString(Domain);

    private protected override void Authorize(HttpRequestMessage request)
    {
        // The keys travel in the body (see Call).
    }

    private protected override async Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken)
    {
        var (node, failure) = await CallAsync($"{Prefix}/retrieveByNameType/{DomainPart}/{update.RecordType}/{Uri.EscapeDataString(relative)}", [], update.Name, "read", cancellationToken);
        if (failure is not null)
            return ([], failure);
        var held = DdnsJson.Items(node?["records"])
            .Where(r => DdnsJson.Text(r["type"]) == update.RecordType && string.Equals(DdnsJson.Text(r["name"])?.TrimEnd('.'), update.Name, StringComparison.OrdinalIgnoreCase))
            .Select(r => new ApiRecord(DdnsJson.Text(r["id"]), DdnsJson.Text(r["content"]) ?? "", DdnsJson.Int(r["ttl"])));
        return ([.. held], null);
    }

    private protected override async Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken)
    {
        JsonObject record = new()
        {
            ["name"] = relative,
            ["type"] = update.RecordType,
            ["content"] = update.AddressText,
            ["ttl"] = TtlFor(held, PorkbunOptions.DefaultTtl).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var path = held is [var one] ? $"{Prefix}/edit/{DomainPart}/{Uri.EscapeDataString(one.Id ?? "")}" : $"{Prefix}/create/{DomainPart}";
        var (_, failure) = await CallAsync(path, record, update.Name, held.Count == 1 ? "edit" : "create", cancellationToken);
        return failure;
    }

    /// <summary>One POST with the keys added to <paramref name="body"/>; the answer when its status is SUCCESS.</summary>
    private async Task<(JsonNode? Answer, DdnsUpdateResult? Failure)> CallAsync(
        string path, JsonObject body, string name, string step, CancellationToken cancellationToken)
    {
        body["apikey"] = Options.ApiKey;
        body["secretapikey"] = Options.SecretApiKey;
        var reply = await SendAsync(HttpMethod.Post, path, body, cancellationToken);
        var answer = reply.Failure is null ? DdnsJson.Parse(reply.Body) : null;
        var status = DdnsJson.Text(answer?["status"]);
        var message = DdnsJson.Text(answer?["message"]);
        // Porkbun answers a wrong key pair with HTTP 400 and "Invalid API key"; say which credential, as for 401/403.
        if (reply.Code == 400 && message?.Contains("API key", StringComparison.OrdinalIgnoreCase) == true)
            reply = reply with { Status = System.Net.HttpStatusCode.Forbidden };
        if (Failure(reply, name, step, message) is { } failure)
            return (null, failure);
        if (status != "SUCCESS")
            return (null, Unexpected($"{name}: {step}", message ?? reply.Body, reply));
        return (answer, null);
    }
}
