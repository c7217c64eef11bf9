using System.Text;
using System.Text.Json;
using Rebound.Record;

namespace Rebound.Act.Hooks;

/// <summary>Hook runner events in the JSON Lines stream (<c>time</c>, <c>event</c> first) and as one human line.</summary>
public static class HookEventJson
{
    public static void Write(Utf8JsonWriter json, HookEvent e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        EventTime.WriteEnvelope(json, e.Time, e.Name);
        json.WriteNumber("hook", e.Hook);
        json.WriteString("label", e.Label);
        switch (e)
        {
            case HookFailed f:
                json.WriteString("for", f.EventKind);
                json.WriteString("error", f.Error);
                if (f.ExitCode is { } code)
                    json.WriteNumber("exitCode", code);
                json.WriteBoolean("timedOut", f.TimedOut);
                json.WriteNumber("durationMs", f.DurationMs);
                break;
            case HookDropped d:
                json.WriteString("for", d.EventKind);
                json.WriteNumber("droppedTotal", d.DroppedTotal);
                break;
        }

        json.WriteEndObject();
    }

    public static string ToJson(HookEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
            Write(json, e);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>For the journal and metrics. Not for hooks: the runner never runs hooks for its own events.</summary>
    public static RecordedEvent ToRecorded(HookEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new RecordedEvent(e.Time, e.Name, null, ToJson(e), e);
    }

    public static string Text(HookEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var detail = e switch
        {
            HookFailed f => $"{f.Label} for {f.EventKind}: {f.Error} after {f.DurationMs} ms",
            HookDropped d => $"{d.Label} is behind: {d.EventKind} dropped ({d.DroppedTotal} dropped so far)",
            _ => e.Label,
        };
        return $"{EventTime.Format(e.Time)} {e.Name} {detail}";
    }
}
