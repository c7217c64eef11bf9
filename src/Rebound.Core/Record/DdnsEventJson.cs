using System.Text.Json;
using Rebound.Act.Ddns.Engine;

namespace Rebound.Record;

/// <summary>
/// DDNS events in the same JSON Lines stream as the watcher's: one object per record name, so a
/// consumer can follow each name on its own (<c>name</c>, <c>provider</c>, <c>address</c>, <c>elapsedMs</c>).
/// </summary>
public static class DdnsEventJson
{
    public static void Write(Utf8JsonWriter json, DdnsEvent e, string? name)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        EventTime.WriteEnvelope(json, e.Time, e.Name);
        switch (e)
        {
            case DdnsUpdated u:
                json.WriteString("name", name);
                json.WriteString("address", u.Address.ToString());
                json.WriteString("provider", u.Provider);
                json.WriteNumber("elapsedMs", u.ElapsedMs);
                json.WriteBoolean("verified", u.Verified);
                json.WriteBoolean("unchanged", u.Unchanged);
                json.WriteBoolean("refresh", u.Refresh);
                json.WriteString("target", u.TargetId);
                break;
            case DdnsFailed f:
                json.WriteString("name", name);
                json.WriteString("provider", f.Provider);
                json.WriteString("error", f.Error);
                if (f.RetryIn is { } retry)
                {
                    json.WriteNumber("retryInSeconds", Math.Round(retry.TotalSeconds, 1));
                }

                json.WriteBoolean("fatal", f.Fatal);
                json.WriteString("target", f.TargetId);
                break;
            case DdnsWarning w:
                json.WriteString("message", w.Message);
                break;
        }

        json.WriteEndObject();
    }

    /// <summary>The names an event is about; a warning is about none (written once with no name).</summary>
    public static IReadOnlyList<string?> Names(DdnsEvent e) => e switch
    {
        DdnsUpdated u => [.. u.Names],
        DdnsFailed f => [.. f.Names],
        _ => [null],
    };

    public static string Text(DdnsEvent e, string? name) => e switch
    {
        DdnsUpdated u => $"{EventTime.Format(e.Time)} {e.Name} {name} -> {u.Address} via {u.Provider} in {u.ElapsedMs} ms{(u.Verified ? " (published)" : u.Unchanged ? " (already current)" : "")}",
        DdnsFailed f => $"{EventTime.Format(e.Time)} {e.Name} {name} via {f.Provider}: {f.Error}{(f.Fatal ? " (stopped until the config changes)" : f.RetryIn is { } r ? $" (retry in {r.TotalSeconds:0} s)" : "")}",
        DdnsWarning w => $"{EventTime.Format(e.Time)} {e.Name} {w.Message}",
        _ => $"{EventTime.Format(e.Time)} {e.Name}",
    };
}
