using System.Text.Json;
using Rebound.Act.Heal;

namespace Rebound.Record;

/// <summary>
/// The heal events' own fields, after <c>time</c>, <c>event</c> and <c>target</c> (<see cref="EventCatalogue"/> writes
/// those), written by hand so names and order are fixed; and what each says in its human line.
/// </summary>
internal static class HealEventJson
{
    public static void Write(Utf8JsonWriter json, HealStarted e) =>
        WriteDiagnosis(json, e.Reason, e.Diagnosis);

    public static void Write(Utf8JsonWriter json, HealStep e)
    {
        json.WriteString("action", e.Action.ToName());
        json.WriteString("result", e.Result.ToName());
        json.WriteNumber("durationMs", e.DurationMs);
        json.WriteString("detail", e.Detail);
    }

    public static void Write(Utf8JsonWriter json, HealVerified e)
    {
        json.WriteString("action", e.Action.ToName());
        json.WriteNumber("elapsedMs", e.ElapsedMs);
        json.WriteStartArray("evidence");
        json.WriteStringValue(e.Evidence);
        json.WriteEndArray();
    }

    public static void Write(Utf8JsonWriter json, HealFailed e)
    {
        json.WriteString("error", e.Error);
        json.WriteBoolean("restartsExhausted", e.RestartsExhausted);
        if (e.RetryIn is { } retry)
            json.WriteNumber("retryInSeconds", Math.Round(retry.TotalSeconds, 1));
    }

    public static void Write(Utf8JsonWriter json, HealSkipped e) =>
        WriteDiagnosis(json, e.Reason, e.Diagnosis);

    public static void Write(Utf8JsonWriter json, HealWarning e) =>
        json.WriteString("message", e.Message);

    public static string Text(HealStarted e) =>
        $"{e.Diagnosis.Condition.ToName()} after {e.Reason.ToName()} ({Evidence(e.Diagnosis)})";

    public static string Text(HealStep e) =>
        $"{e.Action.ToName()} {e.Result.ToName()} in {e.DurationMs} ms{(e.Detail.Length == 0 ? "" : $": {e.Detail}")}";

    public static string Text(HealVerified e) =>
        $"works again after {e.Action.ToName()}, {e.ElapsedMs} ms after detection ({e.Evidence})";

    public static string Text(HealFailed e) =>
        $"{e.Error}{(e.RestartsExhausted ? " (RESTART BUDGET SPENT: no more restarts this hour)" : "")}{(e.RetryIn is { } r ? $" (retry in {r.TotalSeconds:0} s)" : "")}";

    public static string Text(HealSkipped e) =>
        $"{e.Diagnosis.Condition.ToName()} after {e.Reason.ToName()}, nothing to do ({Evidence(e.Diagnosis)})";

    public static string Text(HealWarning e) => e.Message;

    private static string Evidence(HealDiagnosis diagnosis) => string.Join("; ", diagnosis.Evidence);

    private static void WriteDiagnosis(Utf8JsonWriter json, HealReason reason, HealDiagnosis diagnosis)
    {
        json.WriteString("reason", reason.ToName());
        json.WriteString("diagnosis", diagnosis.Condition.ToName());
        json.WriteStartArray("evidence");
        foreach (var line in diagnosis.Evidence)
            json.WriteStringValue(line);
        json.WriteEndArray();
    }
}
