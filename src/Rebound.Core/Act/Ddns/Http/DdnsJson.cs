using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rebound.Act.Ddns.Http;

/// <summary>Reading provider answers without trusting their shape: anything unexpected is null, never an exception.</summary>
internal static class DdnsJson
{
    public static JsonNode? Parse(string body)
    {
        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string, or a number written as text (APIs disagree on ids and TTLs).</summary>
    public static string? Text(JsonNode? node)
    {
        if (node is not JsonValue value)
            return null;
        if (value.TryGetValue<string>(out var text))
            return text;
        if (value.TryGetValue<long>(out var number))
            return number.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    public static int? Int(JsonNode? node) =>
        int.TryParse(Text(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static IEnumerable<JsonNode> Items(JsonNode? node) => (node as JsonArray ?? []).OfType<JsonNode>();
}
