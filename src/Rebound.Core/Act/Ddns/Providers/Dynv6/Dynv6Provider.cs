using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Dynv6;

/// <summary>
/// dynv6 REST API v2 (<c>Authorization: Bearer</c> with the HTTP token). The zone's own address is a field of the zone
/// (<c>GET /api/v2/zones/by-name/ZONE</c>: <c>ipv4address</c>, <c>ipv6prefix</c>), changed with a PATCH of the zone;
/// a name below it is a record (<c>GET /api/v2/zones/ID/records</c>, names relative), PATCHed by id (<c>data</c>) or
/// POSTed when missing.
/// </summary>
public sealed class Dynv6Provider : RecordApiProvider<Dynv6Options>
{
    private string? _zoneId;

    public Dynv6Provider(Dynv6Options options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override string Label => "dynv6";

    private protected override string Credential => "token";

    private protected override string Apex => "";

    private static string ZoneField(DdnsRecordUpdate update) => update.RecordType == "A" ? "ipv4address" : "ipv6prefix";

    private protected override void Authorize(HttpRequestMessage request) =>
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Options.Token}");

    private protected override async Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken)
    {
        var name = update.Name;
        // The apex is read fresh every time: it lives in the zone itself.
        if (_zoneId is null || relative.Length == 0)
        {
            var zone = await SendAsync(HttpMethod.Get, $"/api/v2/zones/by-name/{Uri.EscapeDataString(Domain)}", null, cancellationToken);
            if (zone.Code == 404)
                return ([], DdnsUpdateResult.Fatal($"{name}: zone {Domain} not found at dynv6 (or the token cannot see it)"));
            if (Failure(zone, name, "zone lookup", ErrorOf(zone)) is { } zoneFailure)
                return ([], zoneFailure);
            var node = DdnsJson.Parse(zone.Body);
            _zoneId = DdnsJson.Text(node?["id"]);
            if (string.IsNullOrEmpty(_zoneId))
                return ([], Unexpected($"{name}: zone lookup", zone.Body, zone));
            if (relative.Length == 0)
                return (DdnsJson.Text(node?[ZoneField(update)]) is { Length: > 0 } address ? [new ApiRecord(null, address, null)] : [], null);
        }

        var list = await SendAsync(HttpMethod.Get, $"{ZonePath}/records", null, cancellationToken);
        if (list.Code == 404)
            _zoneId = null;
        if (Failure(list, name, "record list", ErrorOf(list)) is { } listFailure)
            return ([], listFailure);
        var held = DdnsJson.Items(DdnsJson.Parse(list.Body))
            .Where(r => DdnsJson.Text(r["type"]) == update.RecordType && string.Equals(DdnsJson.Text(r["name"]), relative, StringComparison.OrdinalIgnoreCase))
            .Select(r => new ApiRecord(DdnsJson.Text(r["id"]), DdnsJson.Text(r["data"]) ?? "", null));
        return ([.. held], null);
    }

    private string ZonePath => $"/api/v2/zones/{Uri.EscapeDataString(_zoneId ?? "")}";

    private protected override async Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken)
    {
        var patch = HttpMethod.Patch;
        var reply = relative.Length == 0
            ? await SendAsync(patch, ZonePath, new JsonObject { [ZoneField(update)] = update.AddressText }, cancellationToken)
            : held is [var record]
                ? await SendAsync(patch, $"{ZonePath}/records/{Uri.EscapeDataString(record.Id ?? "")}", new JsonObject { ["data"] = update.AddressText }, cancellationToken)
                : await SendAsync(HttpMethod.Post, $"{ZonePath}/records", new JsonObject { ["type"] = update.RecordType, ["name"] = relative, ["data"] = update.AddressText }, cancellationToken);
        if (reply.Code == 404)
            _zoneId = null;
        return Failure(reply, update.Name, relative.Length == 0 ? "zone update" : held.Count == 1 ? "update" : "create", ErrorOf(reply));
    }

    /// <summary>The API's error text: a JSON <c>error</c>/<c>message</c>, else the (short) plain-text body.</summary>
    private static string? ErrorOf(DdnsHttpReply reply)
    {
        if (reply.IsSuccessStatus)
            return null;
        var node = DdnsJson.Parse(reply.Body) as JsonObject;
        return node is null ? reply.Body : DdnsJson.Text(node["error"]) ?? DdnsJson.Text(node["message"]);
    }
}
