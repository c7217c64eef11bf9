namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// DuckDNS as its spec describes: GET /update?domains=..&amp;token=..[&amp;ip=..][&amp;ipv6=..], answering OK or KO.
/// </summary>
internal sealed class FakeDuckDnsServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly Lock _lock = new();

    public FakeDuckDnsServer(string token, params string[] subdomains)
    {
        Token = token;
        foreach (var sub in subdomains)
            Records[sub] = (null, null);
        _http = new FakeHttpServer(Handle);
    }

    public string Token { get; }

    public Dictionary<string, (string? V4, string? V6)> Records { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

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
            if (request.Path != "/update")
                return FakeResponse.Text("not found", 404);
            if (request.QueryValue("token") != Token)
                return FakeResponse.Text("KO");
            var sub = request.QueryValue("domains") ?? "";
            if (!Records.TryGetValue(sub, out var record))
                return FakeResponse.Text("KO");
            var ip = request.QueryValue("ip");
            var ipv6 = request.QueryValue("ipv6");
            Records[sub] = (ip ?? record.V4, ipv6 ?? record.V6);
            return FakeResponse.Text("OK");
        }
    }

    public void Dispose() => _http.Dispose();
}
