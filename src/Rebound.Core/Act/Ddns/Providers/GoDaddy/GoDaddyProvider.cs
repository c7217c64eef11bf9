using System.Text.Json.Nodes;
using Rebound.Act.Ddns.Http;

namespace Rebound.Act.Ddns.Providers.GoDaddy;

/// <summary>
/// GoDaddy Domains API v1 (<c>Authorization: sso-key KEY:SECRET</c>): reads the records of the name and type
/// (<c>GET /v1/domains/DOMAIN/records/TYPE/NAME</c>, an array) and PUTs them whole (<c>[{"data","ttl"}]</c>), which
/// creates or replaces them. The apex is <c>@</c>. Errors are <c>{"code","message"}</c>; a 429 says when to come back
/// in <c>retryAfterSec</c> (60 requests a minute per endpoint). Since 2024 GoDaddy answers 403 ACCESS_DENIED to small
/// accounts.
/// </summary>
public sealed class GoDaddyProvider : RecordApiProvider<GoDaddyOptions>
{
    public GoDaddyProvider(GoDaddyOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(options, httpClient, timeProvider)
    {
    }

    private protected override string Label => "GoDaddy";

    private protected override string Credential => "key and secret";

    private protected override bool WritesRecordSet => true;

    private string Path(string relative, string type) =>
        $"/v1/domains/{Uri.EscapeDataString(Domain)}/records/{type}/{Uri.EscapeDataString(relative)}";

    private protected override void Authorize(HttpRequestMessage request) =>
        request.Headers.TryAddWithoutValidation("Authorization", $"sso-key {Options.Key}:{Options.Secret}");

    private protected override async Task<(IReadOnlyList<ApiRecord> Held, DdnsUpdateResult? Failure)> ReadAsync(
        DdnsRecordUpdate update, string relative, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, Path(relative, update.RecordType), null, cancellationToken);
        if (Failed(reply, update.Name, "read") is { } failure)
            return ([], failure);
        return ([.. DdnsJson.Items(DdnsJson.Parse(reply.Body)).Select(r => new ApiRecord(null, DdnsJson.Text(r["data"]) ?? "", DdnsJson.Int(r["ttl"])))], null);
    }

    private protected override async Task<DdnsUpdateResult?> WriteAsync(
        DdnsRecordUpdate update, string relative, IReadOnlyList<ApiRecord> held, CancellationToken cancellationToken)
    {
        var record = new JsonObject { ["data"] = update.AddressText, ["ttl"] = TtlFor(held, GoDaddyOptions.DefaultTtl) };
        var reply = await SendAsync(HttpMethod.Put, Path(relative, update.RecordType), new JsonArray(record), cancellationToken);
        return Failed(reply, update.Name, "write");
    }

    private DdnsUpdateResult? Failed(DdnsHttpReply reply, string name, string step)
    {
        var node = reply.Failure is null ? DdnsJson.Parse(reply.Body) as JsonObject : null;
        var error = string.Join(" ", new[] { DdnsJson.Text(node?["code"]), DdnsJson.Text(node?["message"]) }.Where(t => !string.IsNullOrEmpty(t)));
        if (reply.Code == 429 && reply.RetryAfter is null && DdnsJson.Int(node?["retryAfterSec"]) is { } seconds)
            reply = reply with { RetryAfter = TimeSpan.FromSeconds(seconds) };
        return Failure(reply, name, step, error);
    }
}
