using System.Globalization;
using System.Text.Json;

namespace Rebound.Record;

public static class EventTime
{
    /// <summary>RFC 3339 UTC with milliseconds, e.g. <c>2026-11-26T04:40:00.123Z</c>.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Opens an event object with the two fields every line of the stream starts with.</summary>
    public static void WriteEnvelope(Utf8JsonWriter json, DateTimeOffset time, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("time", Format(time));
        json.WriteString("event", name);
    }
}
