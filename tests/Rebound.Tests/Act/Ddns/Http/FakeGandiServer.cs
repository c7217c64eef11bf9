using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// Gandi LiveDNS v5 as documented: <c>Authorization: Bearer PAT</c> or 401 (HTTPUnauthorized); one domain;
/// <c>GET /v5/livedns/domains/D/records/NAME/TYPE</c> (404 "Can't find the DNS record" when absent, 404 for another
/// domain), <c>PUT</c> of the same with <c>rrset_values</c> and <c>rrset_ttl</c> (201 "DNS Record Created"), 400
/// "Validation error" for a value that is not an address of the type or a TTL under 300.
/// </summary>
internal sealed class FakeGandiServer(string domain, string token) : FakeApiServer
{
    private static FakeResponse Error(int status, string cause, string message, JsonArray? errors = null) =>
        FakeResponse.Json(new JsonObject { ["code"] = status, ["cause"] = cause, ["message"] = message, ["object"] = "HTTP" + cause.Replace(" ", "", StringComparison.Ordinal), ["errors"] = errors }.ToJsonString(), status);

    protected override FakeResponse Handle(RecordedRequest request)
    {
        if (request.Header("Authorization") != $"Bearer {token}")
            return Error(401, "Unauthorized", "The server could not verify that you authorized to access the document you requested.");
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts is not ["", "v5", "livedns", "domains", var d, "records", var name, var type])
            return Error(404, "Not Found", "The resource could not be found.");
        if (d != domain)
            return Error(404, "Not Found", "Domain not found");
        switch (request.Method)
        {
            case "GET":
                if (!Records.TryGetValue((name, type), out var held))
                    return Error(404, "Not Found", "Can't find the DNS record");
                return FakeResponse.Json(new JsonObject
                {
                    ["rrset_name"] = name, ["rrset_type"] = type, ["rrset_ttl"] = held.Ttl,
                    ["rrset_values"] = new JsonArray([.. held.Contents.Select(c => (JsonNode)c)]),
                }.ToJsonString());
            case "PUT":
                var body = Body(request);
                var values = (body["rrset_values"] as JsonArray ?? []).Select(v => v?.GetValue<string>()).ToList();
                var ttl = body["rrset_ttl"]?.GetValue<int>() ?? 10800;
                if (values.Count == 0 || values.Any(v => !IsAddressOf(type, v)) || ttl < 300)
                    return Error(400, "Bad Request", "Validation error", [new JsonObject { ["location"] = "body", ["name"] = "rrset_values", ["description"] = "invalid value" }]);
                Records[(name, type)] = (ttl, [.. values.OfType<string>()]);
                return FakeResponse.Json("""{"message":"DNS Record Created"}""", 201);
            default:
                return Error(405, "Method Not Allowed", "The method is not allowed for the requested URL.");
        }
    }
}
