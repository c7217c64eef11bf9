using System.Text.Json;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// The part of Cloudflare API v4 a DDNS client uses: list zones by name, list DNS records by type and name,
/// PATCH a record. Answers use the v4 envelope (success, errors[{code,message}], messages, result) and the
/// documented statuses: 401/403 for token problems, 404 for an unknown record, 400 for a bad body.
/// </summary>
internal sealed class FakeCloudflareServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly Lock _lock = new();
    private int _nextId = 1;

    public FakeCloudflareServer(string token, string zoneName)
    {
        Token = token;
        ZoneName = zoneName;
        ZoneId = "023e105f4ecef8ad9ca31a8372d0c353";
        _http = new FakeHttpServer(Handle);
    }

    public sealed class Record
    {
        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string Type { get; init; }

        public required string Content { get; set; }

        /// <summary>1 is Cloudflare's "automatic".</summary>
        public int Ttl { get; set; } = 1;
    }

    public string Token { get; }

    public string ZoneName { get; }

    public string ZoneId { get; }

    /// <summary>When false, the token may read but not edit DNS: PATCH answers 403.</summary>
    public bool TokenCanEdit { get; set; } = true;

    public List<Record> Records { get; } = [];

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    public Record AddRecord(string name, string type, string content)
    {
        lock (_lock)
        {
            var record = new Record { Id = $"372e67954025e0ba6aaa6d586b9e0b{_nextId++:d2}", Name = name, Type = type, Content = content };
            Records.Add(record);
            return record;
        }
    }

    public void Script(FakeResponse response)
    {
        lock (_lock)
            _scripted.Enqueue(response);
    }

    public static string Envelope(bool success, string result, params (int Code, string Message)[] errors) =>
        $$"""{"success":{{(success ? "true" : "false")}},"errors":[{{string.Join(",", errors.Select(e => $$"""{"code":{{e.Code}},"message":{{JsonSerializer.Serialize(e.Message)}}}"""))}}],"messages":[],"result":{{result}}}""";

    public static FakeResponse Error(int status, int code, string message) => FakeResponse.Json(Envelope(false, "null", (code, message)), status);

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;
            if (request.Header("Authorization") != $"Bearer {Token}")
                return Error(401, 10000, "Authentication error");

            const string prefix = "/client/v4/zones";
            if (request.Method == "GET" && request.Path == prefix)
            {
                var zones = request.QueryValue("name") == ZoneName
                    ? $$"""[{"id":"{{ZoneId}}","name":"{{ZoneName}}","status":"active"}]"""
                    : "[]";
                return FakeResponse.Json(Envelope(true, zones));
            }

            var recordsPath = $"{prefix}/{ZoneId}/dns_records";
            if (request.Method == "GET" && request.Path == recordsPath)
            {
                var matches = Records.Where(r =>
                    (request.QueryValue("type") is not { } t || r.Type == t) &&
                    (request.QueryValue("name") is not { } n || r.Name == n));
                return FakeResponse.Json(Envelope(true, "[" + string.Join(",", matches.Select(Json)) + "]"));
            }

            if (request.Method == "PATCH" && request.Path.StartsWith(recordsPath + "/", StringComparison.Ordinal))
            {
                if (!TokenCanEdit)
                    return Error(403, 10000, "Authentication error");
                var id = request.Path[(recordsPath.Length + 1)..];
                var record = Records.FirstOrDefault(r => r.Id == id);
                if (record is null)
                    return Error(404, 81044, "Record does not exist.");
                string? content;
                int? ttl = null;
                try
                {
                    using var body = JsonDocument.Parse(request.Body);
                    content = body.RootElement.GetProperty("content").GetString();
                    if (body.RootElement.TryGetProperty("ttl", out var t))
                        ttl = t.GetInt32();
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    return Error(400, 9207, "Request body is invalid.");
                }
                if (string.IsNullOrEmpty(content))
                    return Error(400, 9005, "Content for A record is invalid. Must be a valid IPv4 address");
                if (ttl is { } given && given != 1 && given is < 60 or > 86400)
                    return Error(400, 9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.");
                record.Content = content;
                record.Ttl = ttl ?? record.Ttl;
                return FakeResponse.Json(Envelope(true, Json(record)));
            }

            if (request.Path.StartsWith(prefix, StringComparison.Ordinal))
                return Error(404, 7003, "Could not route to " + request.Path + ", perhaps your object identifier is invalid?");
            return FakeResponse.Text("not found", 404);
        }
    }

    private string Json(Record r) =>
        $$"""{"id":"{{r.Id}}","zone_id":"{{ZoneId}}","zone_name":"{{ZoneName}}","name":"{{r.Name}}","type":"{{r.Type}}","content":"{{r.Content}}","proxiable":true,"proxied":false,"ttl":{{r.Ttl}}}""";

    public void Dispose() => _http.Dispose();
}
