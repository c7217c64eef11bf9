using System.Text.Json;

namespace Rebound.Record.Status;

/// <summary>The snapshot to and from JSON, for the HTTP surface and <c>rebound status</c>.</summary>
public static class StatusJson
{
    public static string Serialize(StatusSnapshot snapshot) =>
        JsonSerializer.Serialize(snapshot, StatusJsonContext.Default.StatusSnapshot);

    /// <summary>Parses what <see cref="Serialize"/> wrote; throws <see cref="FormatException"/> on anything else.</summary>
    public static StatusSnapshot Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StatusJsonContext.Default.StatusSnapshot)
                ?? throw new FormatException("status: expected a JSON object, found null");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new FormatException($"status: not a status snapshot ({ex.Message})", ex);
        }
    }
}
