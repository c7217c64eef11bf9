using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Gandi;

/// <summary>
/// Gandi LiveDNS v5 (<c>Authorization: Bearer</c> with a personal access token): reads the rrset
/// (<c>GET /v5/livedns/domains/DOMAIN/records/NAME/TYPE</c>, 404 when there is none) and PUTs it whole
/// (<c>rrset_values</c>, <c>rrset_ttl</c>), which creates or replaces it; answered 201. The apex is <c>@</c>.
/// </summary>
public sealed class GandiProvider : RecordApiProvider<GandiOptions>
{
    public GandiProvider(GandiOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override string Label => "Gandi";

    private protected override string Credential => "token";

    private protected override bool WritesRecordSet => true;

    private string Path(string relative, string type) =>
        $"/v5/livedns/domains/{Uri.EscapeDataString(Domain)}/records/{Uri.EscapeDataString(relative)}/{type}";

    private protected override void Authorize(HttpRequestMessage request) =>
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Options.Token}");

    private protected override async Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, Path(relative, update.RecordType), null, cancellationToken);
        // 404 is "no such rrset" as long as the domain exists; the PUT says so when it does not.
        if (reply.Code == 404)
            return ([], null);
        if (Failure(reply, update.Name, "read", ErrorOf(reply.Body)) is { } failure)
            return ([], failure);
        var rrset = DdnsJson.Parse(reply.Body);
        var ttl = DdnsJson.Int(rrset?["rrset_ttl"]);
        return ([.. DdnsJson.Items(rrset?["rrset_values"]).Select(v => new ApiRecord(null, DdnsJson.Text(v) ?? "", ttl))], null);
    }

    private protected override async Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken)
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["rrset_values"] = new System.Text.Json.Nodes.JsonArray(update.AddressText),
            ["rrset_ttl"] = TtlFor(held, GandiOptions.DefaultTtl),
        };
        var reply = await SendAsync(HttpMethod.Put, Path(relative, update.RecordType), body, cancellationToken);
        return Failure(reply, update.Name, "write", ErrorOf(reply.Body));
    }

    private static string? ErrorOf(string body)
    {
        var node = DdnsJson.Parse(body);
        var message = DdnsJson.Text(node?["message"]);
        var cause = DdnsJson.Text(node?["cause"]);
        var errors = string.Join("; ", DdnsJson.Items(node?["errors"]).Select(e => $"{DdnsJson.Text(e["name"])} {DdnsJson.Text(e["description"])}".Trim()));
        return string.Join(": ", new[] { cause, message, errors }.Where(t => !string.IsNullOrWhiteSpace(t)));
    }
}
