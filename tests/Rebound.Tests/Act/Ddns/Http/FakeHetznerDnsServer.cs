using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// Hetzner DNS API v1 as documented: <c>Auth-API-Token</c> header or 401 <c>{"message":"Invalid authentication credentials"}</c>;
/// <c>GET /api/v1/zones?name=</c>, <c>GET /api/v1/records?zone_id=</c> (names relative, <c>@</c> the apex),
/// <c>PUT /api/v1/records/ID</c>, <c>POST /api/v1/records</c>; 422 for a value that is not an address of the type;
/// 404 for an unknown record. Rate limits answer 429 (scripted).
/// </summary>
internal sealed class FakeHetznerDnsServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly Lock _lock = new();
    private int _nextId = 100;

    public FakeHetznerDnsServer(string zone, string token)
    {
        Zone = zone;
        Token = token;
        _http = new FakeHttpServer(Handle);
    }

    public string Zone { get; }

    public string Token { get; }

    public string ZoneId { get; } = "Hz0neId1";

    /// <summary>id → (type, relative name, value, ttl).</summary>
    public Dictionary<string, (string Type, string Name, string Value, int Ttl)> Records { get; } = [];

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    public string Add(string type, string name, string value, int ttl = 300)
    {
        var id = $"rec{_nextId++}";
        Records[id] = (type, name, value, ttl);
        return id;
    }

    public void Script(FakeResponse response)
    {
        lock (_lock)
            _scripted.Enqueue(response);
    }

    private static FakeResponse Message(int status, string message) =>
        FakeResponse.Json(new JsonObject { ["message"] = message }.ToJsonString(), status);

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;
            if (request.Header("Auth-API-Token") != Token)
                return Message(401, "Invalid authentication credentials");
            switch (request.Method, request.Path)
            {
                case ("GET", "/api/v1/zones"):
                    var zones = new JsonArray();
                    if (request.QueryValue("name") == Zone)
                        zones.Add(new JsonObject { ["id"] = ZoneId, ["name"] = Zone, ["ttl"] = 86400 });
                    return FakeResponse.Json(new JsonObject { ["zones"] = zones }.ToJsonString());
                case ("GET", "/api/v1/records"):
                    if (request.QueryValue("zone_id") != ZoneId)
                        return Message(404, "zone not found");
                    var records = new JsonArray();
                    foreach (var (id, r) in Records)
                        records.Add(new JsonObject { ["id"] = id, ["type"] = r.Type, ["name"] = r.Name, ["value"] = r.Value, ["ttl"] = r.Ttl, ["zone_id"] = ZoneId });
                    return FakeResponse.Json(new JsonObject { ["records"] = records }.ToJsonString());
                case ("POST", "/api/v1/records"):
                    return Write(null, request.Body);
                case ("PUT", var path) when path.StartsWith("/api/v1/records/", StringComparison.Ordinal):
                    var target = path["/api/v1/records/".Length..];
                    return Records.ContainsKey(target) ? Write(target, request.Body) : Message(404, "record not found");
                default:
                    return Message(404, "not found");
            }
        }
    }

    private FakeResponse Write(string? id, string body)
    {
        var node = JsonNode.Parse(body)!;
        var type = node["type"]?.GetValue<string>() ?? "";
        var value = node["value"]?.GetValue<string>() ?? "";
        bool ok = System.Net.IPAddress.TryParse(value, out var ip)
            && (type == "A") == (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        if (!ok || node["zone_id"]?.GetValue<string>() != ZoneId)
            return FakeResponse.Json("""{"record":{},"error":{"message":"422 Unprocessable Entity: invalid A record","code":422}}""", 422);
        id ??= $"rec{_nextId++}";
        Records[id] = (type, node["name"]!.GetValue<string>(), value, node["ttl"]?.GetValue<int>() ?? 86400);
        return FakeResponse.Json(new JsonObject { ["record"] = new JsonObject { ["id"] = id, ["value"] = value } }.ToJsonString());
    }

    public void Dispose() => _http.Dispose();
}
