namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// A dyndns2 update server as documented: /nic/update, basic auth, one return code per hostname, 200 for
/// every code. Tests can queue scripted answers that replace the modelled behaviour for the next requests.
/// </summary>
internal sealed class FakeDyndns2Server : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly Lock _lock = new();

    public FakeDyndns2Server(string user, string password, params string[] hosts)
    {
        User = user;
        Password = password;
        foreach (var host in hosts)
            Hosts[host] = null;
        _http = new FakeHttpServer(Handle);
    }

    public string User { get; }

    public string Password { get; }

    /// <summary>Hostname to its current address (null until first set).</summary>
    public Dictionary<string, string?> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    public FakeHttpServer Http => _http;

    public void Script(FakeResponse response)
    {
        lock (_lock)
            _scripted.Enqueue(response);
    }

    public void ScriptBody(string body) => Script(FakeResponse.Text(body));

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;

            if (request.Method != "GET" || request.Path != "/nic/update")
                return FakeResponse.Text("not found", 404);
            if (string.IsNullOrEmpty(request.Header("User-Agent")))
                return FakeResponse.Text("badagent");
            if (request.BasicAuth() is not { } auth || auth.User != User || auth.Password != Password)
                return FakeResponse.Text("badauth");
            var hostname = request.QueryValue("hostname") ?? "";
            if (!hostname.Contains('.', StringComparison.Ordinal))
                return FakeResponse.Text("notfqdn");
            if (!Hosts.TryGetValue(hostname, out var current))
                return FakeResponse.Text("nohost");
            var ip = request.QueryValue("myip");
            if (string.IsNullOrEmpty(ip))
                return FakeResponse.Text("badagent"); // this fake refuses to guess from the source address
            if (current == ip)
                return FakeResponse.Text($"nochg {ip}");
            Hosts[hostname] = ip;
            return FakeResponse.Text($"good {ip}");
        }
    }

    public void Dispose() => _http.Dispose();
}
