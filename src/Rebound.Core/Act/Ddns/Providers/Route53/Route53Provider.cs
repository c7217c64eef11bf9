using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Route53;

/// <summary>
/// Route 53 API 2013-04-01, signed with SigV4: reads the name's rrset (<c>GET …/rrset?name=&amp;type=&amp;maxitems=1</c>)
/// and, unless it already holds exactly this address, UPSERTs it (<c>POST …/rrset</c>, ChangeResourceRecordSetsRequest).
/// Route 53 answers throttling and a change still in progress with HTTP 400 (Throttling, PriorRequestNotComplete):
/// those wait and retry; a bad signature, key or zone is fatal. The same read is its verifier when no
/// <c>verify_server</c> is given: after a send and on the engine's drift schedule.
/// </summary>
public sealed class Route53Provider : HttpDdnsProvider<Route53Options>, IDnsVerifier
{
    private static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

    public Route53Provider(Route53Options options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private string RrsetPath => $"/2013-04-01/hostedzone/{SigV4.Encode(Options.BareZoneId)}/rrset";

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        var (held, heldTtl, readFailure) = await ReadAsync(update, cancellationToken);
        if (readFailure is not null)
            return readFailure;
        if (Holds(held, update) && (Options.Ttl is null || heldTtl is null || heldTtl == Options.Ttl))
            return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");

        var body = Encoding.UTF8.GetBytes(ChangeBatch(name, update.RecordType, update.AddressText, Options.Ttl ?? Route53Options.DefaultTtl));
        using var post = Signed(HttpMethod.Post, [], body);
        var written = await SendAsync(post, cancellationToken);
        if (Failure(written, name, "change") is { } writeFailure)
            return writeFailure;
        return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}");
    }

    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken) =>
        await CheckAsync(name, address, cancellationToken) == DnsServing.Served;

    /// <summary>What the rrset read from the API holds now; Unknown when it cannot be read (no answer, throttled, refused, not Route 53's XML).</summary>
    public async Task<DnsServing> CheckAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        var update = new DdnsRecordUpdate(name, address);
        update.Validate();
        var (held, _, failure) = await ReadAsync(update, cancellationToken);
        return failure is not null || held is null ? DnsServing.Unknown : Holds(held, update) ? DnsServing.Served : DnsServing.NotServed;
    }

    /// <summary>The values and TTL of the name's rrset of the update's type (empty: none; null: not Route 53's XML), or why it could not be read.</summary>
    private async Task<(IReadOnlyList<string>? Held, int? Ttl, DdnsUpdateResult? Failure)> ReadAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        KeyValuePair<string, string>[] query = [new("name", update.Name + "."), new("type", update.RecordType), new("maxitems", "1")];
        using var get = Signed(HttpMethod.Get, query, []);
        var read = await SendAsync(get, cancellationToken);
        if (Failure(read, update.Name, "record read") is { } failure)
            return (null, null, failure);
        var (held, ttl) = Held(read.Body, update.Name, update.RecordType);
        return (held, ttl, null);
    }

    private static bool Holds(IReadOnlyList<string>? held, DdnsRecordUpdate update) =>
        held is [var only] && IPAddress.TryParse(only, out var current) && current.ToString() == update.AddressText;

    private HttpRequestMessage Signed(HttpMethod method, KeyValuePair<string, string>[] query, byte[] body)
    {
        var queryText = string.Join("&", query.Select(p => $"{SigV4.Encode(p.Key)}={SigV4.Encode(p.Value)}"));
        var uri = new Uri(Options.BaseUri, RrsetPath + (queryText.Length > 0 ? "?" + queryText : ""));
        var now = Time.GetUtcNow();
        var amzDate = SigV4.AmzDate(now);
        var signing = new SigV4Request(method.Method, RrsetPath, query, [new("host", uri.Authority), new("x-amz-date", amzDate)], body);
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            SigV4.Authorization(signing, new SigV4Scope(Options.AccessKeyId, Options.SecretAccessKey, Route53Options.Region, Route53Options.Service), now));
        if (body.Length > 0)
            request.Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "text/xml" } } };
        return request;
    }

    private static string ChangeBatch(string name, string type, string address, int ttl) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + new XElement(Ns + "ChangeResourceRecordSetsRequest",
            new XElement(Ns + "ChangeBatch",
                new XElement(Ns + "Changes",
                    new XElement(Ns + "Change",
                        new XElement(Ns + "Action", "UPSERT"),
                        new XElement(Ns + "ResourceRecordSet",
                            new XElement(Ns + "Name", name + "."),
                            new XElement(Ns + "Type", type),
                            new XElement(Ns + "TTL", ttl),
                            new XElement(Ns + "ResourceRecords",
                                new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", address))))))))
            .ToString(SaveOptions.DisableFormatting);

    /// <summary>The values of the first rrset of the answer when it is this name and type; empty when the name has none, null when the answer is not a listing.</summary>
    private static (IReadOnlyList<string>? Values, int? Ttl) Held(string body, string name, string type)
    {
        try
        {
            var document = XDocument.Parse(body);
            if (document.Root?.Name.LocalName != "ListResourceRecordSetsResponse")
                return (null, null);
            var set = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "ResourceRecordSet");
            if (set is null
                || !string.Equals(Child(set, "Name")?.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase)
                || Child(set, "Type") != type)
                return ([], null);
            return ([.. set.Descendants().Where(e => e.Name.LocalName == "Value").Select(e => e.Value.Trim())],
                int.TryParse(Child(set, "TTL"), System.Globalization.CultureInfo.InvariantCulture, out var ttl) ? ttl : null);
        }
        catch (XmlException)
        {
            return (null, null);
        }
    }

    private static string? Child(XElement element, string local) => element.Elements().FirstOrDefault(e => e.Name.LocalName == local)?.Value;

    private DdnsUpdateResult? Failure(DdnsHttpReply reply, string name, string step)
    {
        string code = "", message = "";
        try
        {
            if (reply.Failure is null && reply.Body.Length > 0 && XDocument.Parse(reply.Body).Descendants().FirstOrDefault(e => e.Name.LocalName == "Error") is { } error)
            {
                code = Child(error, "Code") ?? "";
                message = Child(error, "Message") ?? "";
            }
        }
        catch (XmlException)
        {
            // Not Route 53's XML (a proxy's page): the status decides.
        }
        var detail = code.Length > 0 ? $": {Sanitise(code, 40)} {Sanitise(message, 100)}" : "";
        if (code is "Throttling" or "PriorRequestNotComplete" && reply.Code == 400)
            return RetryLater(reply.RetryAfter ?? Options.ThrottleRetry, $"{name}: {step}: Route 53 asks to wait (HTTP 400{detail})");
        if (CommonOutcome(reply, $"{name}: {step}", detail) is { } common)
            return common;
        return reply.Code switch
        {
            401 or 403 => DdnsUpdateResult.Fatal($"{name}: {step}: AWS refused the access key or its signature (HTTP {reply.Code}{detail})"),
            404 => DdnsUpdateResult.Fatal($"{name}: {step}: hosted zone {Options.BareZoneId} not found (HTTP 404{detail})"),
            >= 400 => DdnsUpdateResult.Fatal($"{name}: {step}: Route 53 rejected the request (HTTP {reply.Code}{detail})"),
            _ => null,
        };
    }
}
