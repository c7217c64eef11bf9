using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// What the fakes of record APIs share: an HTTP server on 127.0.0.1, answers scripted ahead of the API's own (429s,
/// outages), and the records a test set up, as (relative name, type) → contents and TTL.
/// </summary>
internal abstract class FakeApiServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();

    protected FakeApiServer()
    {
        _http = new FakeHttpServer(Serve);
    }

    protected Lock Gate { get; } = new();

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    /// <summary>(relative name, type) → (TTL, contents).</summary>
    public Dictionary<(string Name, string Type), (int Ttl, List<string> Contents)> Records { get; } = [];

    public void Set(string name, string type, params string[] contents) => Records[(name, type)] = (600, [.. contents]);

    public IReadOnlyList<string> Held(string name, string type) => Records.TryGetValue((name, type), out var r) ? r.Contents : [];

    public void Script(FakeResponse response)
    {
        lock (Gate)
            _scripted.Enqueue(response);
    }

    /// <summary>A 429 with Retry-After, as a rate-limited API answers.</summary>
    public static FakeResponse RateLimited(string body, int retryAfterSeconds) =>
        FakeResponse.Json(body, 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    /// <summary>Whether <paramref name="value"/> is an address of the record type (the APIs refuse others).</summary>
    protected static bool IsAddressOf(string type, string? value) =>
        System.Net.IPAddress.TryParse(value, out var ip)
        && (type == "A" ? ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork : ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        && ip.ToString() == value;

    /// <summary>A record's id, the same for the same name and type (the APIs give each record one).</summary>
    protected static int RecordId((string Name, string Type) key) => Math.Abs(StringComparer.Ordinal.GetHashCode($"{key.Name}/{key.Type}") % 100000) + 1;

    protected static JsonNode Body(RecordedRequest request) => JsonNode.Parse(request.Body) ?? new JsonObject();

    protected abstract FakeResponse Handle(RecordedRequest request);

    private FakeResponse Serve(RecordedRequest request)
    {
        lock (Gate)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;
            return Handle(request);
        }
    }

    public void Dispose() => _http.Dispose();
}
