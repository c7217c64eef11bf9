using System.Xml;
using System.Xml.Linq;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Namecheap;

/// <summary>
/// Namecheap Dynamic DNS: <c>GET /update?host=SUB&amp;domain=DOMAIN&amp;password=…&amp;ip=…</c> (the apex is <c>@</c>),
/// answered HTTP 200 with an XML <c>interface-response</c> whatever happened: <c>ErrCount</c> 0 is success, else
/// <c>errors/Err1</c> says why (a wrong password, a host without an A record). IPv4 only; there is no way to read the
/// record back.
/// </summary>
public sealed class NamecheapProvider : HttpDdnsProvider<NamecheapOptions>
{
    private readonly string _domain;

    public NamecheapProvider(NamecheapOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
        _domain = options.Domain.TrimEnd('.').ToLowerInvariant();
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (DdnsZoneNames.Relative(name, _domain, "@") is not { } host)
            return DdnsUpdateResult.Fatal($"{name}: not inside the configured domain {_domain}");
        if (update.RecordType != "A")
            return DdnsUpdateResult.Fatal($"{name}: Namecheap Dynamic DNS updates A records only");

        var query = $"update?host={Uri.EscapeDataString(host)}&domain={Uri.EscapeDataString(_domain)}"
            + $"&password={Uri.EscapeDataString(Options.Password)}&ip={Uri.EscapeDataString(update.AddressText)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Options.Api, query));
        var reply = await SendAsync(request, cancellationToken);
        if (CommonOutcome(reply, name) is { } common)
            return common;
        if (reply.Code >= 400)
            return DdnsUpdateResult.Fatal($"{name}: Namecheap rejected the request (HTTP {reply.Code})");

        XElement root;
        try
        {
            root = XDocument.Parse(reply.Body).Root ?? throw new XmlException("no root");
        }
        catch (XmlException)
        {
            return Unexpected(name, reply.Body, reply);
        }
        var errors = root.Element("errors")?.Elements().Select(e => e.Value.Trim()).Where(e => e.Length > 0).ToList() ?? [];
        if (int.TryParse(root.Element("ErrCount")?.Value, out var count) && count == 0 && errors.Count == 0)
            return DdnsUpdateResult.Updated($"{name} A set to {update.AddressText}");
        if (errors.Count == 0)
            return Unexpected(name, reply.Body, reply);
        var error = Sanitise(string.Join("; ", errors), 120);
        return errors.Any(e => e.Contains("password", StringComparison.OrdinalIgnoreCase))
            ? DdnsUpdateResult.Fatal($"{name}: Namecheap refused the Dynamic DNS password: {error}")
            : DdnsUpdateResult.Fatal($"{name}: Namecheap refused the update: {error}");
    }
}
