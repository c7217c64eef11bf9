namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// Namecheap Dynamic DNS as documented: <c>GET /update?host=&amp;domain=&amp;password=&amp;ip=</c>, always HTTP 200
/// with an XML <c>interface-response</c> (declared utf-16, sent as UTF-8): <c>ErrCount</c> 0 on success; "Passwords do
/// not match", "No Records updated. A record not Found;" or "Invalid IP" in <c>errors/Err1</c> otherwise. Only hosts
/// that already have an A record are updated.
/// </summary>
internal sealed class FakeNamecheapServer : IDisposable
{
    private readonly FakeHttpServer _http;
    private readonly string _domain;
    private readonly string _password;

    public FakeNamecheapServer(string domain, string password)
    {
        _domain = domain;
        _password = password;
        _http = new FakeHttpServer(Handle);
    }

    /// <summary>host ("@" the apex) → address.</summary>
    public Dictionary<string, string> Hosts { get; } = [];

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    private static FakeResponse Answer(string? ip, params string[] errors)
    {
        var errs = string.Concat(errors.Select((e, i) => $"<Err{i + 1}>{e}</Err{i + 1}>"));
        var responses = string.Concat(errors.Select(e => $"<response><Description>{e}</Description><ResponseNumber>304156</ResponseNumber><ResponseString>Validation error; invalid ; password</ResponseString></response>"));
        var body = $"""
            <?xml version="1.0" encoding="utf-16"?>
            <interface-response><Command>SETDNSHOST</Command><Language>eng</Language>{(ip is null ? "" : $"<IP>{ip}</IP>")}<ErrCount>{errors.Length}</ErrCount>{(errors.Length > 0 ? $"<errors>{errs}</errors>" : "")}<ResponseCount>{errors.Length}</ResponseCount>{(errors.Length > 0 ? $"<responses>{responses}</responses>" : "")}<Done>true</Done><debug><![CDATA[]]></debug></interface-response>
            """;
        return new FakeResponse(200, body, "text/html");
    }

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (Hosts)
        {
            if (request.Path != "/update")
                return FakeResponse.Text("Not Found", 404);
            if (request.QueryValue("domain") != _domain)
                return Answer(null, "Domain name not found");
            if (request.QueryValue("password") != _password)
                return Answer(null, "Passwords do not match");
            var host = request.QueryValue("host") ?? "@";
            var ip = request.QueryValue("ip");
            if (!System.Net.IPAddress.TryParse(ip, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                return Answer(null, "Invalid IP");
            if (!Hosts.ContainsKey(host))
                return Answer(null, "No Records updated. A record not Found;");
            Hosts[host] = ip!;
            return Answer(ip);
        }
    }

    public void Dispose() => _http.Dispose();
}
