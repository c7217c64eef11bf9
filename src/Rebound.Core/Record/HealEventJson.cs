using System.Text;
using System.Text.Json;
using Rebound.Act.Heal;

namespace Rebound.Record;

/// <summary>
/// Heal events in the same JSON Lines stream as the watcher's and the DDNS engine's: <c>time</c> and <c>event</c>
/// first, then <c>target</c>, then the event's own fields, written by hand so names and order are fixed.
/// </summary>
public static class HealEventJson
{
    public static void Write(Utf8JsonWriter json, HealEvent e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        EventTime.WriteEnvelope(json, e.Time, e.Name);
        json.WriteString("target", e.Target);
        switch (e)
        {
            case HealStarted s:
                json.WriteString("reason", s.Reason);
                WriteDiagnosis(json, s.Diagnosis);
                break;
            case HealStep s:
                json.WriteString("action", s.Action);
                json.WriteString("result", s.Result);
                json.WriteNumber("durationMs", s.DurationMs);
                json.WriteString("detail", s.Detail);
                break;
            case HealVerified v:
                json.WriteString("action", v.Action);
                json.WriteNumber("elapsedMs", v.ElapsedMs);
                json.WriteStartArray("evidence");
                json.WriteStringValue(v.Evidence);
                json.WriteEndArray();
                break;
            case HealFailed f:
                json.WriteString("error", f.Error);
                json.WriteBoolean("restartsExhausted", f.RestartsExhausted);
                if (f.RetryIn is { } retry)
                    json.WriteNumber("retryInSeconds", Math.Round(retry.TotalSeconds, 1));
                break;
            case HealSkipped k:
                json.WriteString("reason", k.Reason);
                WriteDiagnosis(json, k.Diagnosis);
                break;
            case HealWarning w:
                json.WriteString("message", w.Message);
                break;
        }

        json.WriteEndObject();
    }

    /// <summary>The event as one JSON object (no newline).</summary>
    public static string ToJson(HealEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
            Write(json, e);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The event as every sink after the console sees it (journal, metrics, hooks).</summary>
    public static RecordedEvent ToRecorded(HealEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new RecordedEvent(e.Time, e.Name, e.Target.Length == 0 ? null : e.Target, ToJson(e), e);
    }

    /// <summary>One human line, e.g. <c>... heal-step wireguard:wg0 keepalive done in 3 ms: sent</c>.</summary>
    public static string Text(HealEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var detail = e switch
        {
            HealStarted s => $"{s.Diagnosis.Condition.ToName()} after {s.Reason} ({string.Join("; ", s.Diagnosis.Evidence)})",
            HealStep s => $"{s.Action} {s.Result} in {s.DurationMs} ms{(s.Detail.Length == 0 ? "" : $": {s.Detail}")}",
            HealVerified v => $"works again after {v.Action}, {v.ElapsedMs} ms after detection ({v.Evidence})",
            HealFailed f => $"{f.Error}{(f.RestartsExhausted ? " (RESTART BUDGET SPENT: no more restarts this hour)" : "")}{(f.RetryIn is { } r ? $" (retry in {r.TotalSeconds:0} s)" : "")}",
            HealSkipped k => $"{k.Diagnosis.Condition.ToName()} after {k.Reason}, nothing to do ({string.Join("; ", k.Diagnosis.Evidence)})",
            HealWarning w => w.Message,
            _ => "",
        };
        var target = e.Target.Length == 0 ? "" : $" {e.Target}";
        return $"{EventTime.Format(e.Time)} {e.Name}{target} {detail}";
    }

    private static void WriteDiagnosis(Utf8JsonWriter json, HealDiagnosis diagnosis)
    {
        json.WriteString("diagnosis", diagnosis.Condition.ToName());
        json.WriteStartArray("evidence");
        foreach (var line in diagnosis.Evidence)
            json.WriteStringValue(line);
        json.WriteEndArray();
    }
}
