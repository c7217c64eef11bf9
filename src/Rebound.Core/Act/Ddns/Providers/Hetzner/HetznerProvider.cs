using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Hetzner;

/// <summary>
/// Hetzner DNS API v1 (header <c>Auth-API-Token</c>): looks up the zone's id (<c>GET /zones?name=</c>), lists its
/// records (<c>GET /records?zone_id=</c>, names relative to the zone, <c>@</c> for the apex), then PUTs the one record
/// of that name and type, or POSTs it when there is none. Reading the records every time is what lets a record
/// changed by hand be seen and corrected; the same listing is its verifier when no <c>verify_server</c> is given.
/// </summary>
public sealed class HetznerProvider : HttpDdnsProvider<HetznerOptions>, IDnsVerifier
{
    private readonly string _zone;
    private string? _zoneId;

    public HetznerProvider(HetznerOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
        _zone = options.Zone.TrimEnd('.').ToLowerInvariant();
    }

    private protected override async Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (name != _zone && !name.EndsWith("." + _zone, StringComparison.Ordinal))
            return DdnsUpdateResult.Fatal($"{name}: not inside the configured zone {_zone}");
        var relative = Relative(name);
        var (matches, listFailure) = await ListAsync(update, cancellationToken);
        if (listFailure is not null)
            return listFailure;
        if (matches.Count > 1)
            return DdnsUpdateResult.Fatal($"{name}: {matches.Count} {update.RecordType} records of that name; refusing to guess which to change");
        int? heldTtl = matches is [var old] && old?["ttl"] is JsonValue value && value.TryGetValue<int>(out var t) ? t : null;
        if (Holds(matches, update) && (Options.Ttl is null || heldTtl is null || heldTtl == Options.Ttl))
            return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");

        var body = new JsonObject
        {
            ["zone_id"] = _zoneId,
            ["type"] = update.RecordType,
            ["name"] = relative,
            ["value"] = update.AddressText,
            ["ttl"] = Options.Ttl ?? heldTtl ?? HetznerOptions.DefaultTtl,
        }.ToJsonString();
        var written = matches is [var record]
            ? await SendAsync(HttpMethod.Put, $"/api/v1/records/{Uri.EscapeDataString(Text(record?["id"]) ?? "")}", body, cancellationToken)
            : await SendAsync(HttpMethod.Post, "/api/v1/records", body, cancellationToken);
        if (Failure(written, name, matches.Count == 1 ? "update" : "create") is { } writeFailure)
            return writeFailure;
        return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}");
    }

    public async Task<bool> ServesAsync(string name, IPAddress address, CancellationToken cancellationToken) =>
        await CheckAsync(name, address, cancellationToken) == DnsServing.Served;

    /// <summary>What the zone's record list holds for the name now; Unknown when it cannot be read (no answer, rate limited, refused, not a list).</summary>
    public async Task<DnsServing> CheckAsync(string name, IPAddress address, CancellationToken cancellationToken)
    {
        var update = new DdnsRecordUpdate(name, address);
        update.Validate();
        if (update.Name != _zone && !update.Name.EndsWith("." + _zone, StringComparison.Ordinal))
            return DnsServing.Unknown;
        var (matches, failure) = await ListAsync(update, cancellationToken);
        return failure is not null ? DnsServing.Unknown : Holds(matches, update) ? DnsServing.Served : DnsServing.NotServed;
    }

    private string Relative(string name) => name == _zone ? "@" : name[..^(_zone.Length + 1)];

    private static bool Holds(List<JsonNode?> matches, DdnsRecordUpdate update) =>
        matches is [var only] && IPAddress.TryParse(Text(only?["value"]), out var current) && current.ToString() == update.AddressText;

    /// <summary>The zone's records of the update's name and type (the zone's id looked up once), or why they could not be listed.</summary>
    private async Task<(List<JsonNode?> Matches, DdnsUpdateResult? Failure)> ListAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        var name = update.Name;
        if (_zoneId is null)
        {
            var zones = await SendAsync(HttpMethod.Get, $"/api/v1/zones?name={Uri.EscapeDataString(_zone)}", null, cancellationToken);
            if (Failure(zones, name, "zone lookup") is { } zoneFailure)
                return ([], zoneFailure);
            _zoneId = Parse(zones.Body)?["zones"]?.AsArray()
                .FirstOrDefault(z => string.Equals(Text(z?["name"]), _zone, StringComparison.OrdinalIgnoreCase)) is { } zone ? Text(zone["id"]) : null;
            if (string.IsNullOrEmpty(_zoneId))
                return ([], DdnsUpdateResult.Fatal($"{name}: zone {_zone} not found (or the token cannot see it)"));
        }

        var list = await SendAsync(HttpMethod.Get, $"/api/v1/records?zone_id={Uri.EscapeDataString(_zoneId)}", null, cancellationToken);
        if (Failure(list, name, "record list") is { } listFailure)
            return ([], listFailure);
        if (Parse(list.Body)?["records"] is not JsonArray records)
            return ([], Unexpected($"{name}: record list", list.Body, list));
        var relative = Relative(name);
        return ([.. records.Where(r => Text(r?["type"]) == update.RecordType && string.Equals(Text(r?["name"]), relative, StringComparison.OrdinalIgnoreCase))], null);
    }

    private async Task<DdnsHttpReply> SendAsync(HttpMethod method, string path, string? json, CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, new Uri(Options.BaseUri, path));
        request.Headers.TryAddWithoutValidation("Auth-API-Token", Options.Token);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await SendAsync(request, token);
    }

    private DdnsUpdateResult? Failure(DdnsHttpReply reply, string name, string step)
    {
        var node = reply.Failure is null ? Parse(reply.Body) : null;
        var message = Text(node?["error"]?["message"]) ?? Text(node?["message"]) ?? "";
        var detail = message.Length > 0 ? $": {Sanitise(message, 100)}" : "";
        if (CommonOutcome(reply, $"{name}: {step}", detail) is { } common)
            return common;
        return reply.Code switch
        {
            401 or 403 => DdnsUpdateResult.Fatal($"{name}: {step}: Hetzner refused the API token (HTTP {reply.Code})"),
            404 => DdnsUpdateResult.Fatal($"{name}: {step}: not found (HTTP 404){detail}"),
            >= 400 => DdnsUpdateResult.Fatal($"{name}: {step}: Hetzner rejected the request (HTTP {reply.Code}){detail}"),
            _ => null,
        };
    }

    private static JsonNode? Parse(string body)
    {
        try
        {
            return body.Length == 0 ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
