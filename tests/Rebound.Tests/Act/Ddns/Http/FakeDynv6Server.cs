using System.Globalization;
using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// dynv6 REST API v2 as documented: <c>Authorization: Bearer</c> or 401; <c>GET /api/v2/zones/by-name/Z</c> (404 for
/// another zone) with the zone's own address in <c>ipv4address</c> and <c>ipv6prefix</c>, changed by <c>PATCH
/// /api/v2/zones/ID</c>; <c>GET …/ID/records</c> (names relative), <c>PATCH …/records/RID</c>, <c>POST …/records</c>;
/// 422 for data that is not an address of the type. The apex is the record ("", type) of <see cref="FakeApiServer.Records"/>.
/// </summary>
internal sealed class FakeDynv6Server(string zone, string token) : FakeApiServer
{
    private const int ZoneId = 3582646;

    private static FakeResponse Error(int status, string message) =>
        FakeResponse.Json(new JsonObject { ["error"] = message }.ToJsonString(), status);


    private string Apex(string type) => Records.TryGetValue(("", type), out var held) ? held.Contents[0] : "";

    protected override FakeResponse Handle(RecordedRequest request)
    {
        if (request.Header("Authorization") != $"Bearer {token}")
            return Error(401, "invalid authentication token");
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        var id = ZoneId.ToString(CultureInfo.InvariantCulture);
        var body = request.Method is "PATCH" or "POST" ? Body(request) : null;
        switch (request.Method, parts)
        {
            case ("GET", ["", "api", "v2", "zones", "by-name", var name]):
                return name != zone ? Error(404, "zone not found") : FakeResponse.Json(new JsonObject
                {
                    ["id"] = ZoneId, ["name"] = zone, ["ipv4address"] = Apex("A"), ["ipv6prefix"] = Apex("AAAA"),
                }.ToJsonString());
            case ("PATCH", ["", "api", "v2", "zones", var z]) when z == id:
                foreach (var (field, family) in new[] { ("ipv4address", "A"), ("ipv6prefix", "AAAA") })
                {
                    if (body![field]?.GetValue<string>() is not { } value)
                        continue;
                    if (!IsAddressOf(family, value))
                        return Error(422, $"{field} is invalid");
                    Records[("", family)] = (0, [value]);
                }
                return FakeResponse.Json(new JsonObject { ["id"] = ZoneId, ["name"] = zone }.ToJsonString());
            case ("GET", ["", "api", "v2", "zones", var z, "records"]) when z == id:
                return FakeResponse.Json(new JsonArray([.. Records.Where(r => r.Key.Name.Length > 0)
                    .Select(r => (JsonNode)new JsonObject { ["id"] = RecordId(r.Key), ["type"] = r.Key.Type, ["name"] = r.Key.Name, ["data"] = r.Value.Contents[0], ["zoneID"] = ZoneId })]).ToJsonString());
            case ("PATCH", ["", "api", "v2", "zones", var z, "records", var rid]) when z == id:
                var target = Records.Keys.Where(k => k.Name.Length > 0 && RecordId(k).ToString(CultureInfo.InvariantCulture) == rid).ToList();
                if (target is not [var existing])
                    return Error(404, "record not found");
                if (!IsAddressOf(existing.Type, body!["data"]?.GetValue<string>()))
                    return Error(422, "data is invalid");
                Records[existing] = (0, [body["data"]!.GetValue<string>()]);
                return FakeResponse.Json(new JsonObject { ["id"] = RecordId(existing) }.ToJsonString());
            case ("POST", ["", "api", "v2", "zones", var z, "records"]) when z == id:
                var type = body!["type"]?.GetValue<string>() ?? "";
                if (!IsAddressOf(type, body["data"]?.GetValue<string>()))
                    return Error(422, "data is invalid");
                var key = (body["name"]?.GetValue<string>() ?? "", type);
                Records[key] = (0, [body["data"]!.GetValue<string>()]);
                return FakeResponse.Json(new JsonObject { ["id"] = RecordId(key) }.ToJsonString());
            default:
                return Error(404, "not found");
        }
    }
}
