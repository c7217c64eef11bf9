using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.DigitalOcean;

/// <summary>
/// DigitalOcean API v2 (<c>Authorization: Bearer</c>): lists the name's records of the type
/// (<c>GET /v2/domains/DOMAIN/records?type=&amp;name=FQDN</c>; names come back relative, <c>@</c> the apex), PUTs the one
/// record's <c>data</c> (<c>/records/ID</c>), or POSTs a new one. Errors are <c>{"id","message"}</c>; 429 once the
/// 250-a-minute limit is spent.
/// </summary>
public sealed class DigitalOceanProvider : RecordApiProvider<DigitalOceanOptions>
{
    public DigitalOceanProvider(DigitalOceanOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override string Label => "DigitalOcean";

    private protected override string Credential => "token";

    private string Records => $"/v2/domains/{Uri.EscapeDataString(Domain)}/records";

    private protected override void Authorize(HttpRequestMessage request) =>
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Options.Token}");

    private protected override async Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken)
    {
        var path = $"{Records}?type={update.RecordType}&name={Uri.EscapeDataString(update.Name)}&per_page=200";
        var reply = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        if (Failure(reply, update.Name, "record list", ErrorOf(reply.Body)) is { } failure)
            return ([], failure);
        var held = DdnsJson.Items(DdnsJson.Parse(reply.Body)?["domain_records"])
            .Where(r => DdnsJson.Text(r["type"]) == update.RecordType && string.Equals(DdnsJson.Text(r["name"]), relative, StringComparison.OrdinalIgnoreCase))
            .Select(r => new ApiRecord(DdnsJson.Text(r["id"]), DdnsJson.Text(r["data"]) ?? "", DdnsJson.Int(r["ttl"])));
        return ([.. held], null);
    }

    private protected override async Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["type"] = update.RecordType, ["data"] = update.AddressText };
        if (Options.Ttl is { } ttl)
            body["ttl"] = ttl;
        DdnsHttpReply reply;
        if (held is [var record])
        {
            reply = await SendAsync(HttpMethod.Put, $"{Records}/{Uri.EscapeDataString(record.Id ?? "")}", body, cancellationToken);
        }
        else
        {
            body["name"] = relative;
            body["ttl"] = TtlFor(held, DigitalOceanOptions.DefaultTtl);
            reply = await SendAsync(HttpMethod.Post, Records, body, cancellationToken);
        }
        return Failure(reply, update.Name, held.Count == 1 ? "update" : "create", ErrorOf(reply.Body));
    }

    private static string? ErrorOf(string body)
    {
        var node = DdnsJson.Parse(body) as JsonObject;
        return DdnsJson.Text(node?["message"]) is { } message ? $"{DdnsJson.Text(node?["id"])} {message}".Trim() : null;
    }
}
