namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// deSEC's dynDNS endpoint as documented: basic auth (user = domain, password = token); for each family the
/// first of myipv4/myip (myipv6) is used, "preserve" keeps the record, and an absent or empty parameter
/// deletes it (the fake has no connection address to fall back on). One update per minute per domain on
/// the given clock, else 429 with Retry-After.
/// </summary>
internal sealed class FakeDesecServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly Dictionary<string, DateTimeOffset> _lastUpdate = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    public FakeDesecServer(string domain, string token, TimeProvider clock, string? v4 = null, string? v6 = null)
    {
        Domain = domain;
        Token = token;
        _clock = clock;
        V4 = v4;
        V6 = v6;
        _http = new FakeHttpServer(Handle);
    }

    public string Domain { get; }

    public string Token { get; }

    public string? V4 { get; private set; }

    public string? V6 { get; private set; }

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    public FakeHttpServer Http => _http;

    public void Script(FakeResponse response)
    {
        lock (_lock)
            _scripted.Enqueue(response);
    }

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;
            if (request.BasicAuth() is not { } auth || auth.User != Domain || auth.Password != Token)
                return FakeResponse.Text("badauth", 401);
            if (!string.Equals(request.QueryValue("hostname"), Domain, StringComparison.OrdinalIgnoreCase))
                return FakeResponse.Text("nohost", 404);

            var now = _clock.GetUtcNow();
            if (_lastUpdate.TryGetValue(Domain, out var last) && now - last < TimeSpan.FromMinutes(1))
            {
                var wait = (int)Math.Ceiling((TimeSpan.FromMinutes(1) - (now - last)).TotalSeconds);
                return FakeResponse.Json($$"""{"detail":"Request was throttled. Expected available in {{wait}} seconds."}""", 429)
                    with { Headers = new Dictionary<string, string> { ["Retry-After"] = wait.ToString() } };
            }
            _lastUpdate[Domain] = now;

            V4 = Resolve(request, V4, "myip", "myipv4", "ip");
            V6 = Resolve(request, V6, "myipv6", "ipv6", "myip", "ip");
            return FakeResponse.Text("good");
        }
    }

    private static string? Resolve(RecordedRequest request, string? current, params string[] names)
    {
        foreach (var name in names)
        {
            if (!request.HasQuery(name))
                continue;
            var value = request.QueryValue(name);
            return value == "preserve" ? current : string.IsNullOrEmpty(value) ? null : value;
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}
