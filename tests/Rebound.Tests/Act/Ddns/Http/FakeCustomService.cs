namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// A self-hosted update endpoint of the kind <c>custom</c> is for: it wants <c>Authorization: Bearer SECRET</c> (401
/// otherwise), answers <c>good IP</c> or <c>nochg IP</c> with 200, and echoes what it did not like, secret included,
/// with a 200 too ("badauth …") when the key in the query is wrong: as careless as real ones.
/// </summary>
internal sealed class FakeCustomService : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly string _secret;

    public FakeCustomService(string secret)
    {
        _secret = secret;
        _http = new FakeHttpServer(Handle);
    }

    /// <summary>name → address.</summary>
    public Dictionary<string, string> Addresses { get; } = [];

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (Addresses)
        {
            if (request.HasQuery("key") && request.QueryValue("key") != _secret)
                return FakeResponse.Text($"badauth key={request.QueryValue("key")}");
            if (!request.HasQuery("key") && request.Header("Authorization") != $"Bearer {_secret}")
                return FakeResponse.Text("unauthorized", 401);
            var name = request.QueryValue("host") ?? "";
            var ip = request.QueryValue("ip") is { Length: > 0 } v4 ? v4 : request.QueryValue("ip6") ?? "";
            if (name.Length == 0 || !System.Net.IPAddress.TryParse(ip, out _))
                return FakeResponse.Text("notfqdn", 400);
            var was = Addresses.GetValueOrDefault(name);
            Addresses[name] = ip;
            return FakeResponse.Text(was == ip ? $"nochg {ip}" : $"good {ip}");
        }
    }

    public void Dispose() => _http.Dispose();
}
