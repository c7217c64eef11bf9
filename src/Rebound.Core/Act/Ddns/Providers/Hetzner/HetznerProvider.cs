using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.Hetzner;

/// <summary>
/// Hetzner DNS API v1 (header <c>Auth-API-Token</c>): looks up the zone's id (<c>GET /zones?name=</c>), lists its
/// records (<c>GET /records?zone_id=</c>, names relative to the zone, <c>@</c> for the apex), then PUTs the one record
/// of that name and type, or POSTs it when there is none. Reading the records every time is what lets a record
/// changed by hand be seen and corrected.
/// </summary>
public sealed class HetznerProvider : HttpDdnsProvider<HetznerOptions>
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
        var relative = name == _zone ? "@" : name[..^(_zone.Length + 1)];

        if (_zoneId is null)
        {
            var zones = await SendAsync(HttpMethod.Get, $"/api/v1/zones?name={Uri.EscapeDataString(_zone)}", null, cancellationToken);
            if (Failure(zones, name, "zone lookup") is { } zoneFailure)
                return zoneFailure;
            _zoneId = Parse(zones.Body)?["zones"]?.AsArray()
                .FirstOrDefault(z => string.Equals(Text(z?["name"]), _zone, StringComparison.OrdinalIgnoreCase)) is { } zone ? Text(zone["id"]) : null;
            if (string.IsNullOrEmpty(_zoneId))
                return DdnsUpdateResult.Fatal($"{name}: zone {_zone} not found (or the token cannot see it)");
        }

        var list = await SendAsync(HttpMethod.Get, $"/api/v1/records?zone_id={Uri.EscapeDataString(_zoneId)}", null, cancellationToken);
        if (Failure(list, name, "record list") is { } listFailure)
            return listFailure;
        var matches = (Parse(list.Body)?["records"] as JsonArray ?? [])
            .Where(r => Text(r?["type"]) == update.RecordType && string.Equals(Text(r?["name"]), relative, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (matches.Count > 1)
            return DdnsUpdateResult.Fatal($"{name}: {matches.Count} {update.RecordType} records of that name; refusing to guess which to change");
        if (matches is [var existing] && IPAddress.TryParse(Text(existing?["value"]), out var current) && current.ToString() == update.AddressText)
            return DdnsUpdateResult.Unchanged($"{name} {update.RecordType} already {update.AddressText}");

        var body = new JsonObject
        {
            ["zone_id"] = _zoneId,
            ["type"] = update.RecordType,
            ["name"] = relative,
            ["value"] = update.AddressText,
            ["ttl"] = matches is [var old] && old?["ttl"] is JsonValue ttl && ttl.TryGetValue<int>(out var t) ? t : HetznerOptions.DefaultTtl,
        }.ToJsonString();
        var written = matches is [var record]
            ? await SendAsync(HttpMethod.Put, $"/api/v1/records/{Uri.EscapeDataString(Text(record?["id"]) ?? "")}", body, cancellationToken)
            : await SendAsync(HttpMethod.Post, "/api/v1/records", body, cancellationToken);
        if (Failure(written, name, matches.Count == 1 ? "update" : "create") is { } writeFailure)
            return writeFailure;
        return DdnsUpdateResult.Updated($"{name} {update.RecordType} set to {update.AddressText}");
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
