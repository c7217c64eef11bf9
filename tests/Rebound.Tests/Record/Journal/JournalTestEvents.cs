using System.Text;
using System.Text.Json;
using Rebound.Record;
using Rebound.Record.Journal;

namespace Rebound.Tests.Record.Journal;

internal static class JournalTestEvents
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    /// <summary>An event shaped like the real stream: <c>time</c> and <c>event</c> first, then fields.</summary>
    public static JournalLine Event(DateTimeOffset time, string kind, string? target, int n)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            EventTime.WriteEnvelope(json, time, kind);
            json.WriteNumber("n", n);
            json.WriteString("address", "203.0.113.7");
            json.WriteString("target", target);
            json.WriteEndObject();
        }

        return new JournalLine(time, kind, target, Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
