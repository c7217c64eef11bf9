using System.Globalization;
using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// Linode API v4 as documented: <c>Authorization: Bearer</c> or 401 <c>{"errors":[{"reason":"Invalid Token"}]}</c>;
/// <c>GET /v4/domains</c> filtered by <c>X-Filter</c>; <c>GET /v4/domains/ID/records</c> paged (<c>page</c>,
/// <c>page_size</c>, <c>pages</c>; names relative, the apex empty); <c>PUT …/records/RID</c> and <c>POST …/records</c>;
/// 400 with <c>field</c> and <c>reason</c> for a target that is not an address of the type.
/// </summary>
internal sealed class FakeLinodeServer(string domain, string token) : FakeApiServer
{
    private const int DomainId = 4242;

    /// <summary>Records the API lists before the test's own, to push them onto a later page.</summary>
    public int Filler { get; set; }

    private static FakeResponse Errors(int status, string reason, string? field = null) =>
        FakeResponse.Json(new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["reason"] = reason, ["field"] = field }) }.ToJsonString(), status);


    protected override FakeResponse Handle(RecordedRequest request)
    {
        if (request.Header("Authorization") != $"Bearer {token}")
            return Errors(401, "Invalid Token");
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (request.Method == "GET" && parts is ["", "v4", "domains"])
        {
            var filter = JsonNode.Parse(request.Header("X-Filter") ?? "{}")?["domain"]?.GetValue<string>();
            var data = new JsonArray();
            if (filter is null || filter == domain)
                data.Add(new JsonObject { ["id"] = DomainId, ["domain"] = domain, ["type"] = "master" });
            return FakeResponse.Json(new JsonObject { ["data"] = data, ["page"] = 1, ["pages"] = 1, ["results"] = data.Count }.ToJsonString());
        }
        if (parts is not ["", "v4", "domains", var id, "records", ..] || id != DomainId.ToString(CultureInfo.InvariantCulture))
            return Errors(404, "Not found");
        var body = request.Method is "PUT" or "POST" ? Body(request) : null;
        switch (request.Method, parts.Length)
        {
            case ("GET", 5):
                int page = int.Parse(request.QueryValue("page") ?? "1", CultureInfo.InvariantCulture);
                int size = int.Parse(request.QueryValue("page_size") ?? "100", CultureInfo.InvariantCulture);
                var all = Enumerable.Range(0, Filler).Select(i => new JsonObject { ["id"] = 900000 + i, ["type"] = "TXT", ["name"] = $"txt{i}", ["target"] = "x", ["ttl_sec"] = 300 })
                    .Concat(Records.Select(r => new JsonObject { ["id"] = RecordId(r.Key), ["type"] = r.Key.Type, ["name"] = r.Key.Name, ["target"] = r.Value.Contents[0], ["ttl_sec"] = r.Value.Ttl }))
                    .ToList();
                var pageItems = new JsonArray([.. all.Skip((page - 1) * size).Take(size)]);
                return FakeResponse.Json(new JsonObject { ["data"] = pageItems, ["page"] = page, ["pages"] = Math.Max(1, (all.Count + size - 1) / size), ["results"] = all.Count }.ToJsonString());
            case ("PUT", 6):
                var target = Records.Keys.Where(k => RecordId(k).ToString(CultureInfo.InvariantCulture) == parts[5]).ToList();
                if (target is not [var existing])
                    return Errors(404, "Not found");
                if (!IsAddressOf(existing.Type, body!["target"]?.GetValue<string>()))
                    return Errors(400, "Invalid IPv4 address", "target");
                Records[existing] = (body["ttl_sec"]?.GetValue<int>() ?? Records[existing].Ttl, [body["target"]!.GetValue<string>()]);
                return FakeResponse.Json(new JsonObject { ["id"] = RecordId(existing) }.ToJsonString());
            case ("POST", 5):
                var type = body!["type"]?.GetValue<string>() ?? "";
                if (!IsAddressOf(type, body["target"]?.GetValue<string>()))
                    return Errors(400, "Invalid IPv4 address", "target");
                var key = (body["name"]?.GetValue<string>() ?? "", type);
                Records[key] = (body["ttl_sec"]?.GetValue<int>() ?? 0, [body["target"]!.GetValue<string>()]);
                return FakeResponse.Json(new JsonObject { ["id"] = RecordId(key) }.ToJsonString());
            default:
                return Errors(404, "Not found");
        }
    }
}
