using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// DigitalOcean API v2 as documented: <c>Authorization: Bearer</c> or 401 <c>{"id":"unauthorized"}</c>;
/// <c>GET /v2/domains/D/records?type=&amp;name=FQDN</c> (names relative, <c>@</c> the apex; 404 for an unknown domain),
/// <c>PUT /v2/domains/D/records/ID</c>, <c>POST /v2/domains/D/records</c> (201); 422 for data that is not an address
/// of the type.
/// </summary>
internal sealed class FakeDigitalOceanServer(string domain, string token) : FakeApiServer
{
    private static FakeResponse Error(int status, string id, string message) =>
        FakeResponse.Json(new JsonObject { ["id"] = id, ["message"] = message }.ToJsonString(), status);


    protected override FakeResponse Handle(RecordedRequest request)
    {
        if (request.Header("Authorization") != $"Bearer {token}")
            return Error(401, "unauthorized", "Unable to authenticate you");
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts is not ["", "v2", "domains", var d, "records", ..] || d != domain)
            return Error(404, "not_found", "The resource you were accessing could not be found.");
        var body = request.Method is "PUT" or "POST" ? Body(request) : null;
        switch (request.Method, parts.Length)
        {
            case ("GET", 5):
                var type = request.QueryValue("type");
                var fqdn = request.QueryValue("name");
                var list = new JsonArray();
                foreach (var (key, held) in Records)
                {
                    var full = key.Name == "@" ? domain : $"{key.Name}.{domain}";
                    if ((type is null || type == key.Type) && (fqdn is null || fqdn == full))
                        list.Add(new JsonObject { ["id"] = RecordId(key), ["type"] = key.Type, ["name"] = key.Name, ["data"] = held.Contents[0], ["ttl"] = held.Ttl });
                }
                return FakeResponse.Json(new JsonObject { ["domain_records"] = list, ["links"] = new JsonObject(), ["meta"] = new JsonObject { ["total"] = list.Count } }.ToJsonString());
            case ("PUT", 6):
                var target = Records.Keys.Where(k => RecordId(k).ToString(System.Globalization.CultureInfo.InvariantCulture) == parts[5]).ToList();
                if (target is not [var existing])
                    return Error(404, "not_found", "The resource you were accessing could not be found.");
                if (!IsAddressOf(existing.Type, body!["data"]?.GetValue<string>()))
                    return Error(422, "unprocessable_entity", "Data needs to be a valid address");
                Records[existing] = (body["ttl"]?.GetValue<int>() ?? Records[existing].Ttl, [body["data"]!.GetValue<string>()]);
                return FakeResponse.Json(new JsonObject { ["domain_record"] = new JsonObject { ["id"] = RecordId(existing) } }.ToJsonString());
            case ("POST", 5):
                var newType = body!["type"]?.GetValue<string>() ?? "";
                var data = body["data"]?.GetValue<string>();
                if (!IsAddressOf(newType, data))
                    return Error(422, "unprocessable_entity", "Data needs to be a valid address");
                var newKey = (body["name"]?.GetValue<string>() ?? "", newType);
                Records[newKey] = (body["ttl"]?.GetValue<int>() ?? 1800, [data!]);
                return FakeResponse.Json(new JsonObject { ["domain_record"] = new JsonObject { ["id"] = RecordId(newKey) } }.ToJsonString(), 201);
            default:
                return Error(404, "not_found", "The resource you were accessing could not be found.");
        }
    }
}
