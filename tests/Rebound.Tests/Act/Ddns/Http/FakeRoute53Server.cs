using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Rebound.Act.Ddns.Providers.Route53;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// Route 53's rrset API as documented: every request SigV4-signed for us-east-1/route53 (a wrong signature → 403
/// SignatureDoesNotMatch, an unknown key → 403 InvalidClientTokenId, a date off by more than 5 minutes → 403);
/// <c>GET …/rrset?name=&amp;type=&amp;maxitems=</c> lists from that name on; <c>POST …/rrset</c> applies UPSERTs; an unknown
/// zone → 404 NoSuchHostedZone. Errors are ErrorResponse XML. The signature is recomputed with the signer under
/// test, which AWS's own vectors pin (SigV4TestSuiteTests).
/// </summary>
internal sealed class FakeRoute53Server : IDisposable
{
    private static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
    private readonly FakeHttpServer _http;
    private readonly Queue<FakeResponse> _scripted = new();
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    public FakeRoute53Server(string zoneId, string keyId, string secret, TimeProvider clock)
    {
        ZoneId = zoneId;
        KeyId = keyId;
        Secret = secret;
        _clock = clock;
        _http = new FakeHttpServer(Handle);
    }

    public string ZoneId { get; }

    public string KeyId { get; }

    public string Secret { get; }

    /// <summary>(name with dot, type) → values.</summary>
    public SortedDictionary<(string Name, string Type), List<string>> Records { get; } = [];

    public Uri BaseUri => _http.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => _http.Requests;

    public void Script(FakeResponse response)
    {
        lock (_lock)
            _scripted.Enqueue(response);
    }

    public static FakeResponse Error(int status, string code, string message) =>
        new(status, new XElement(Ns + "ErrorResponse", new XElement(Ns + "Error", new XElement(Ns + "Type", "Sender"),
            new XElement(Ns + "Code", code), new XElement(Ns + "Message", message))).ToString(), "text/xml");

    private FakeResponse Handle(RecordedRequest request)
    {
        lock (_lock)
        {
            if (_scripted.TryDequeue(out var scripted))
                return scripted;
            if (Authenticate(request) is { } refused)
                return refused;
            if (request.Path != $"/2013-04-01/hostedzone/{ZoneId}/rrset")
                return Error(404, "NoSuchHostedZone", "No hosted zone found with ID: " + request.Path);
            return request.Method == "GET" ? List(request) : Change(request.Body);
        }
    }

    private FakeResponse? Authenticate(RecordedRequest request)
    {
        var auth = request.Header("Authorization") ?? "";
        var amzDate = request.Header("X-Amz-Date") ?? "";
        if (!auth.StartsWith($"AWS4-HMAC-SHA256 Credential={KeyId}/", StringComparison.Ordinal))
            return Error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
            || (when - _clock.GetUtcNow()).Duration() > TimeSpan.FromMinutes(5))
            return Error(403, "SignatureDoesNotMatch", "Signature expired");
        var signing = new SigV4Request(request.Method, request.Path, request.Query,
            [new("host", request.Header("Host") ?? ""), new("x-amz-date", amzDate)], Encoding.UTF8.GetBytes(request.Body));
        var expected = SigV4.Authorization(signing, new SigV4Scope(KeyId, Secret, "us-east-1", "route53"), when);
        return expected == auth ? null : Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }

    private FakeResponse List(RecordedRequest request)
    {
        var name = request.QueryValue("name") ?? "";
        var type = request.QueryValue("type") ?? "";
        var sets = Records.Where(r => string.CompareOrdinal(r.Key.Name, name) > 0 || (r.Key.Name == name && string.CompareOrdinal(r.Key.Type, type) >= 0))
            .Take(1)
            .Select(r => new XElement(Ns + "ResourceRecordSet", new XElement(Ns + "Name", r.Key.Name), new XElement(Ns + "Type", r.Key.Type), new XElement(Ns + "TTL", 300),
                new XElement(Ns + "ResourceRecords", r.Value.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v))))));
        return new FakeResponse(200, new XElement(Ns + "ListResourceRecordSetsResponse", new XElement(Ns + "ResourceRecordSets", sets),
            new XElement(Ns + "IsTruncated", "false"), new XElement(Ns + "MaxItems", "1")).ToString(), "text/xml");
    }

    private FakeResponse Change(string body)
    {
        var doc = XDocument.Parse(body);
        foreach (var change in doc.Descendants(Ns + "Change"))
        {
            if (change.Element(Ns + "Action")?.Value != "UPSERT")
                return Error(400, "InvalidChangeBatch", "only UPSERT in this fake");
            var set = change.Element(Ns + "ResourceRecordSet")!;
            var name = set.Element(Ns + "Name")!.Value;
            if (!name.EndsWith("example.org.", StringComparison.Ordinal))
                return Error(400, "InvalidChangeBatch", $"RRSet with DNS name {name} is not permitted in zone example.org.");
            Records[(name, set.Element(Ns + "Type")!.Value)] = [.. set.Descendants(Ns + "Value").Select(v => v.Value)];
        }
        return new FakeResponse(200, new XElement(Ns + "ChangeResourceRecordSetsResponse", new XElement(Ns + "ChangeInfo",
            new XElement(Ns + "Id", "/change/C2682N5HXP0BZ4"), new XElement(Ns + "Status", "PENDING"))).ToString(), "text/xml");
    }

    public void Dispose() => _http.Dispose();
}
