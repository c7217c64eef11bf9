using System.Globalization;

namespace Rebound.Record;

public static class EventTime
{
    /// <summary>RFC 3339 UTC with milliseconds, e.g. <c>2026-11-26T04:40:00.123Z</c>.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
