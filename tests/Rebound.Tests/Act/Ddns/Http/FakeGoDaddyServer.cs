using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// GoDaddy Domains API v1 as documented: <c>Authorization: sso-key KEY:SECRET</c> or 401 UNABLE_TO_AUTHENTICATE
/// (403 ACCESS_DENIED when the account may not use the API); <c>GET /v1/domains/D/records/TYPE/NAME</c> (an array, empty
/// when none), <c>PUT</c> of the same with <c>[{"data","ttl"}]</c> replacing them (200, empty body); 404 UNKNOWN_DOMAIN;
/// 422 INVALID_BODY for a value that is not an address of the type or a TTL under 600.
/// </summary>
internal sealed class FakeGoDaddyServer(string domain, string key, string secret) : FakeApiServer
{
    /// <summary>When set, the account is one GoDaddy no longer lets use the API.</summary>
    public bool AccessDenied { get; set; }

    private static FakeResponse Error(int status, string code, string message) =>
        FakeResponse.Json(new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString(), status);

    protected override FakeResponse Handle(RecordedRequest request)
    {
        if (request.Header("Authorization") != $"sso-key {key}:{secret}")
            return Error(401, "UNABLE_TO_AUTHENTICATE", "Unable to authenticate your API key and secret");
        if (AccessDenied)
            return Error(403, "ACCESS_DENIED", "Authenticated user is not allowed access");
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts is not ["", "v1", "domains", var d, "records", var type, var name])
            return Error(404, "NOT_FOUND", "The requested resource was not found");
        if (d != domain)
            return Error(404, "UNKNOWN_DOMAIN", "The given domain is not registered, or does not have a zone file");
        switch (request.Method)
        {
            case "GET":
                var list = new JsonArray();
                if (Records.TryGetValue((name, type), out var held))
                {
                    foreach (var content in held.Contents)
                        list.Add(new JsonObject { ["data"] = content, ["name"] = name, ["ttl"] = held.Ttl, ["type"] = type });
                }
                return FakeResponse.Json(list.ToJsonString());
            case "PUT":
                var records = Body(request) as JsonArray ?? [];
                var values = records.Select(r => r?["data"]?.GetValue<string>()).ToList();
                var ttls = records.Select(r => r?["ttl"]?.GetValue<int>() ?? 3600).ToList();
                if (values.Count == 0 || values.Any(v => !IsAddressOf(type, v)) || ttls.Any(t => t < 600))
                    return FakeResponse.Json("""{"code":"INVALID_BODY","message":"Request body doesn't fulfill schema, see details in `fields`","fields":[{"code":"UNEXPECTED_TYPE","path":"records","message":"is not a valid record"}]}""", 422);
                Records[(name, type)] = (ttls[0], [.. values.OfType<string>()]);
                return new FakeResponse(200, "", "application/json");
            default:
                return Error(405, "METHOD_NOT_ALLOWED", "Method not allowed");
        }
    }
}
