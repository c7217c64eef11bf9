using System.Text.Json.Nodes;

namespace Rebound.Tests.Act.Ddns.Http;

/// <summary>
/// Porkbun API v3 as documented: every call a POST under <c>/api/json/v3/</c> with <c>apikey</c> and
/// <c>secretapikey</c> in the JSON body, else 400 <c>{"status":"ERROR","message":"Invalid API key. (002)"}</c>;
/// <c>dns/retrieveByNameType/D/TYPE/SUB</c>, <c>dns/edit/D/ID</c>, <c>dns/create/D</c>; records carry FQDN names and
/// string TTLs; an edit to the content a record already has is refused ("Edit error"), as is a TTL under 600 or a
/// value that is not an address of the type; a domain without API access is refused.
/// </summary>
internal sealed class FakePorkbunServer(string domain, string apiKey, string secretApiKey) : FakeApiServer
{
    private static FakeResponse Error(string message, int status = 400) =>
        FakeResponse.Json(new JsonObject { ["status"] = "ERROR", ["message"] = message }.ToJsonString(), status);

    private static FakeResponse Success(JsonObject? extra = null)
    {
        var answer = extra ?? [];
        answer["status"] = "SUCCESS";
        return FakeResponse.Json(answer.ToJsonString());
    }

    private static string Id((string Name, string Type) key) => RecordId(key).ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected override FakeResponse Handle(RecordedRequest request)
    {
        if (request.Method != "POST")
            return Error("Method not allowed", 405);
        var body = Body(request);
        if (body["apikey"]?.GetValue<string>() != apiKey || body["secretapikey"]?.GetValue<string>() != secretApiKey)
            return Error("Invalid API key. (002)");
        var parts = request.Path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (parts is not ["", "api", "json", "v3", "dns", var verb, var d, ..])
            return Error("Invalid command", 404);
        if (d != domain)
            return Error("Domain is not opted in to API access.");
        switch (verb, parts.Length)
        {
            case ("retrieveByNameType", 9):
                var key = (parts[8], parts[7]);
                var records = new JsonArray();
                if (Records.TryGetValue(key, out var held))
                {
                    var fqdn = key.Item1.Length == 0 ? domain : $"{key.Item1}.{domain}";
                    foreach (var content in held.Contents)
                        records.Add(new JsonObject { ["id"] = Id(key), ["name"] = fqdn, ["type"] = key.Item2, ["content"] = content, ["ttl"] = held.Ttl.ToString(System.Globalization.CultureInfo.InvariantCulture), ["prio"] = null, ["notes"] = "" });
                }
                return Success(new JsonObject { ["records"] = records });
            case ("edit", 8):
                var target = Records.Keys.Where(k => Id(k) == parts[7]).ToList();
                if (target is not [var existing])
                    return Error("Edit error: We were unable to edit the DNS record.");
                if (Validate(body) is { } editProblem)
                    return editProblem;
                if (Records[existing].Contents is [var same] && same == body["content"]!.GetValue<string>())
                    return Error("Edit error: We were unable to edit the DNS record.");
                Records.Remove(existing);
                Records[(body["name"]?.GetValue<string>() ?? "", body["type"]!.GetValue<string>())] = (int.Parse(body["ttl"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), [body["content"]!.GetValue<string>()]);
                return Success();
            case ("create", 7):
                if (Validate(body) is { } createProblem)
                    return createProblem;
                var newKey = (body["name"]?.GetValue<string>() ?? "", body["type"]!.GetValue<string>());
                Records[newKey] = (int.Parse(body["ttl"]?.GetValue<string>() ?? "600", System.Globalization.CultureInfo.InvariantCulture), [body["content"]!.GetValue<string>()]);
                return Success(new JsonObject { ["id"] = Id(newKey) });
            default:
                return Error("Invalid command", 404);
        }
    }

    private static FakeResponse? Validate(JsonNode body)
    {
        var type = body["type"]?.GetValue<string>() ?? "";
        if (!IsAddressOf(type, body["content"]?.GetValue<string>()))
            return Error($"Invalid {type} record content.");
        return int.TryParse(body["ttl"]?.GetValue<string>(), out var ttl) && ttl >= 600 ? null : Error("TTL must be at least 600.");
    }
}
