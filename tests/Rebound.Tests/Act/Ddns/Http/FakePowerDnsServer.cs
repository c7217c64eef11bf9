using System.Net;
using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// PowerDNS Authoritative's zone API as documented: <c>X-API-Key</c> or 401; <c>GET /api/v1/servers/ID/zones/ZONE.</c>
/// answers the zone with its rrsets; <c>PATCH</c> with rrsets (changetype REPLACE/DELETE) answers 204, 422 with
/// <c>{"error": …}</c> for a name outside the zone, a name without its trailing dot or bad content, 404 for an unknown
/// zone. The real server is tested in the lab; this one is for the error answers a lab server will not give (429, 5xx).
/// </summary>
internal sealed class FakePowerDnsServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly Lock _lock = new();

    public FakePowerDnsServer(string zone, string apiKey, string serverId = "localhost")
    {
        Zone = zone.TrimEnd('.') + ".";
        ApiKey = apiKey;
        ServerId = serverId;
        _http = new FakeHttpServer(Handle);
    }

    public string Zone { get; }

    public string ApiKey { get; }

    public string ServerId { get; }

    /// <summary>(name with dot, type) → (ttl, contents).</summary>
    public Dictionary<(string Name, string Type), (int Ttl, List<string> Contents)> Records { get; } = [];

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    public void Script(FakeResponse response)
    {
        lock (_lock)
            _scripted.Enqueue(response);
    }

    private static FakeResponse Error(string message, int status) =>
        FakeResponse.Json(new JsonObject { ["error"] = message }.ToJsonString(), status);

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;
            if (request.Header("X-API-Key") != ApiKey)
                return FakeResponse.Text("Unauthorized", 401);
            var prefix = $"/api/v1/servers/{ServerId}/zones/";
            if (!request.Path.StartsWith(prefix, StringComparison.Ordinal))
                return Error("Not Found", 404);
            var zone = WebUtility.UrlDecode(request.Path[prefix.Length..]);
            if (!string.Equals(zone, Zone, StringComparison.OrdinalIgnoreCase) && !string.Equals(zone + ".", Zone, StringComparison.OrdinalIgnoreCase))
                return Error("Could not find domain '" + zone + "'", 404);
            return request.Method switch
            {
                "GET" => FakeResponse.Json(ZoneJson()),
                "PATCH" => Patch(request.Body),
                _ => Error("Method not allowed", 405),
            };
        }
    }

    private string ZoneJson()
    {
        var rrsets = new JsonArray();
        foreach (var ((name, type), (ttl, contents)) in Records)
        {
            var records = new JsonArray();
            foreach (var content in contents)
                records.Add(new JsonObject { ["content"] = content, ["disabled"] = false });
            rrsets.Add(new JsonObject { ["name"] = name, ["type"] = type, ["ttl"] = ttl, ["records"] = records, ["comments"] = new JsonArray() });
        }
        return new JsonObject { ["id"] = Zone, ["name"] = Zone, ["kind"] = "Native", ["rrsets"] = rrsets }.ToJsonString();
    }

    private FakeResponse Patch(string body)
    {
        var staged = new List<((string, string) Key, (int, List<string>)? Value)>();
        foreach (var rrset in JsonNode.Parse(body)?["rrsets"] as JsonArray ?? [])
        {
            var name = rrset?["name"]?.GetValue<string>() ?? "";
            var type = rrset?["type"]?.GetValue<string>() ?? "";
            if (!name.EndsWith('.'))
                return Error($"Name '{name}' is not canonical (missing trailing dot)", 422);
            if (!name.EndsWith("." + Zone, StringComparison.OrdinalIgnoreCase) && !string.Equals(name, Zone, StringComparison.OrdinalIgnoreCase))
                return Error($"Name '{name}' is out of zone", 422);
            var change = rrset?["changetype"]?.GetValue<string>();
            if (change == "DELETE")
            {
                staged.Add(((name.ToLowerInvariant(), type), null));
                continue;
            }
            if (change != "REPLACE")
                return Error("Changetype not understood", 422);
            var contents = new List<string>();
            foreach (var record in rrset?["records"] as JsonArray ?? [])
            {
                var content = record?["content"]?.GetValue<string>() ?? "";
                bool ok = IPAddress.TryParse(content, out var ip)
                    && (type == "A" ? ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork : ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
                if (!ok)
                    return Error($"Record {name}/{type} '{content}': Parsing record content failed", 422);
                contents.Add(content);
            }
            staged.Add(((name.ToLowerInvariant(), type), (rrset?["ttl"]?.GetValue<int>() ?? 3600, contents)));
        }
        foreach (var (key, value) in staged)
        {
            if (value is { } v)
                Records[key] = v;
            else
                Records.Remove(key);
        }
        return new FakeResponse(204, "");
    }

    public void Dispose() => _http.Dispose();
}
