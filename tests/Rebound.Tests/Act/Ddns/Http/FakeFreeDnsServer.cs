namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// FreeDNS (afraid.org) dynamic update v2 as its update URLs answer: <c>GET /u/TOKEN/?ip=</c>, plain text with HTTP 200
/// whatever happened: "Updated 1 host(s) NAME to IP in 0.2 seconds", "No IP change detected for NAME with IP IP,
/// skipping update", or "ERROR: Unable to locate this record (changed password recently? deleted and re-created this
/// dns entry?)" for a token it does not know. One fake per family (sync. and v6.sync.).
/// </summary>
internal sealed class FakeFreeDnsServer : IDisposable
{
    private readonly FakeHttpServer _http;

    public FakeFreeDnsServer(string token, string name, string address)
    {
        Token = token;
        Name = name;
        Address = address;
        _http = new FakeHttpServer(Handle);
    }

    public string Token { get; }

    public string Name { get; }

    public string Address { get; private set; }

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_http)
        {
            if (request.Path != $"/u/{Token}/")
                return FakeResponse.Text("ERROR: Unable to locate this record (changed password recently? deleted and re-created this dns entry?)");
            var ip = request.QueryValue("ip") ?? "";
            if (ip == Address)
                return FakeResponse.Text($"No IP change detected for {Name} with IP {ip}, skipping update\n");
            Address = ip;
            return FakeResponse.Text($"Updated 1 host(s) {Name} to {ip} in 0.215 seconds\n");
        }
    }

    public void Dispose() => _http.Dispose();
}
