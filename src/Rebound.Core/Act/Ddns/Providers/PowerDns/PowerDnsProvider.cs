using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.PowerDns;

/// <summary>
/// PowerDNS Authoritative HTTP API: reads the zone (<c>GET …/zones/ZONE.</c>) and, unless the server already holds
/// exactly this address, replaces the name's rrset of that type (<c>PATCH</c> with <c>changetype REPLACE</c>, answered
/// 204). Other names of the zone and the other family are never touched. Reading first is what the server is trusted
/// for: a record changed behind the agent's back is seen and corrected. It is also the verifier when no
/// <c>verify_server</c> is given: the engine asks the API what the zone holds after a send and on its drift schedule.
/// </summary>
public sealed class PowerDnsProvider : HttpDdnsProvider<PowerDnsOptions>, IDnsVerifier
{
    private readonly string _zone;

    public PowerDnsProvider(PowerDnsOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
        _zone = options.Zone.TrimEnd('.').ToLowerInvariant();
    }

    private string ZonePath => $"/api/v1/servers/{Uri.EscapeDataString(Options.ServerId)}/zones/{Uri.EscapeDataString(_zone + ".")}";

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (name != _zone && !name.EndsWith("." + _zone, StringComparison.Ordinal))
            return DdnsUpdateResult.Fatal($"{name}: not inside the configured zone {_zone}");

        using var get = NewRequest(HttpMethod.Get);
        var read = await SendAsync(get, cancellationToken);
        if (Failure(read, name, "zone read") is { } readFailure)
            return readFailure;
        var (held, ttl) = Held(read.Body, name, update.RecordType);
        if (held is [var only] && IPAddress.TryParse(only, out var current) && current.ToString() == update.AddressText
            && (Options.Ttl is null || ttl is null || ttl == Options.Ttl))
            return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");

        var rrset = new JsonObject
        {
            ["name"] = name + ".",
            ["type"] = update.RecordType,
            ["ttl"] = Options.Ttl ?? ttl ?? PowerDnsOptions.DefaultTtl,
            ["changetype"] = "REPLACE",
            ["records"] = new JsonArray(new JsonObject { ["content"] = update.AddressText, ["disabled"] = false }),
        };
        using var patch = NewRequest(HttpMethod.Patch);
        patch.Content = new StringContent(new JsonObject { ["rrsets"] = new JsonArray(rrset) }.ToJsonString(), Encoding.UTF8, "application/json");
        var written = await SendAsync(patch, cancellationToken);
        if (Failure(written, name, "update") is { } writeFailure)
            return writeFailure;
        var was = held is null or [] ? "none" : string.Join(",", held);
        return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText} (server held {Sanitise(was, 60)})");
    }

    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken) =>
        await CheckAsync(name, address, cancellationToken) == DnsServing.Served;

    /// <summary>Whether the zone, read from the API now, holds exactly <paramref name="address"/> for the name; Unknown when it cannot be read.</summary>
    public async Task<DnsServing> CheckAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var update = new DdnsRecordUpdate(name, address);
        using var get = NewRequest(HttpMethod.Get);
        var read = await SendAsync(get, cancellationToken);
        if (!read.IsSuccessStatus || !IsZone(read.Body))
            return DnsServing.Unknown;
        return Held(read.Body, update.Name, update.RecordType).Contents is [var only] && IPAddress.TryParse(only, out var current) && current.ToString() == update.AddressText
            ? DnsServing.Served
            : DnsServing.NotServed;
    }

    private HttpRequestMessage NewRequest(HttpMethod method)
    {
        var request = new HttpRequestMessage(method, new Uri(Options.BaseUri, ZonePath));
        request.Headers.TryAddWithoutValidation("X-API-Key", Options.ApiKey);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        return request;
    }

    /// <summary>The outcome that ends this update, or null when the server accepted the request.</summary>
    private DdnsUpdateResult? Failure(DdnsHttpReply reply, string name, string step)
    {
        var error = ErrorOf(reply.Body);
        var detail = error.Length > 0 ? $": {error}" : "";
        if (CommonOutcome(reply, $"{name}: {step}", detail) is { } common)
            return common;
        return reply.Code switch
        {
            401 or 403 => DdnsUpdateResult.Fatal($"{name}: {step}: PowerDNS refused the API key (HTTP {reply.Code})"),
            404 => DdnsUpdateResult.Fatal($"{name}: {step}: zone {_zone} not found on server {Options.ServerId} (HTTP 404){detail}"),
            >= 400 => DdnsUpdateResult.Fatal($"{name}: {step}: PowerDNS rejected the request (HTTP {reply.Code}){detail}"),
            _ => null,
        };
    }

    /// <summary>The contents and TTL of the rrset <paramref name="name"/>/<paramref name="type"/> in a zone answer; null contents when absent.</summary>
    private static (IReadOnlyList<string>? Contents, int? Ttl) Held(string body, string name, string type)
    {
        try
        {
            if (JsonNode.Parse(body)?["rrsets"] is not JsonArray rrsets)
                return (null, null);
            foreach (var rrset in rrsets)
            {
                if (rrset is null
                    || !string.Equals(rrset["name"]?.GetValue<string>().TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase)
                    || rrset["type"]?.GetValue<string>() != type)
                    continue;
                var contents = (rrset["records"] as JsonArray ?? [])
                    .Where(r => r?["disabled"]?.GetValue<bool>() != true)
                    .Select(r => r?["content"]?.GetValue<string>() ?? "")
                    .ToList();
                return (contents, rrset["ttl"]?.GetValue<int>());
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // Not the zone document we expect: treat as holding nothing, the PATCH still decides.
        }
        return (null, null);
    }

    private static bool IsZone(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["rrsets"] is JsonArray;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private string ErrorOf(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"]?.GetValue<string>() is { } error ? Sanitise(error, 120) : "";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return "";
        }
    }
}
