using System.Text.Json;
using Rebound.Act.Heal;

namespace Rebound.Record;

/// <summary>
/// The heal events' own fields, after <c>time</c>, <c>event</c> and <c>target</c> (<see cref="EventCatalogue"/> writes
/// those), written by hand so names and order are fixed; and what each says in its human line.
/// </summary>
public static class HealEventJson
{
    public static void Write(Utf8JsonWriter json, HealStarted e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteString("reason", e.Reason.ToName());
        WriteDiagnosis(json, e.Diagnosis);
    }

    public static void Write(Utf8JsonWriter json, HealStep e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteString("action", e.Action.ToName());
        json.WriteString("result", e.Result.ToName());
        json.WriteNumber("durationMs", e.DurationMs);
        json.WriteString("detail", e.Detail);
    }

    public static void Write(Utf8JsonWriter json, HealVerified e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteString("action", e.Action.ToName());
        json.WriteNumber("elapsedMs", e.ElapsedMs);
        json.WriteStartArray("evidence");
        json.WriteStringValue(e.Evidence);
        json.WriteEndArray();
    }

    public static void Write(Utf8JsonWriter json, HealFailed e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteString("error", e.Error);
        json.WriteBoolean("restartsExhausted", e.RestartsExhausted);
        if (e.RetryIn is { } retry)
            json.WriteNumber("retryInSeconds", Math.Round(retry.TotalSeconds, 1));
    }

    public static void Write(Utf8JsonWriter json, HealSkipped e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteString("reason", e.Reason.ToName());
        WriteDiagnosis(json, e.Diagnosis);
    }

    public static void Write(Utf8JsonWriter json, HealWarning e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        json.WriteString("message", e.Message);
    }

    public static string Text(HealStarted e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Diagnosis.Condition.ToName()} after {e.Reason.ToName()} ({string.Join("; ", e.Diagnosis.Evidence)})";
    }

    public static string Text(HealStep e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Action.ToName()} {e.Result.ToName()} in {e.DurationMs} ms{(e.Detail.Length == 0 ? "" : $": {e.Detail}")}";
    }

    public static string Text(HealVerified e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"works again after {e.Action.ToName()}, {e.ElapsedMs} ms after detection ({e.Evidence})";
    }

    public static string Text(HealFailed e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Error}{(e.RestartsExhausted ? " (RESTART BUDGET SPENT: no more restarts this hour)" : "")}{(e.RetryIn is { } r ? $" (retry in {r.TotalSeconds:0} s)" : "")}";
    }

    public static string Text(HealSkipped e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"{e.Diagnosis.Condition.ToName()} after {e.Reason.ToName()}, nothing to do ({string.Join("; ", e.Diagnosis.Evidence)})";
    }

    public static string Text(HealWarning e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Message;
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
