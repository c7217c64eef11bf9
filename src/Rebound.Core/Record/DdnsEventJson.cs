using System.Text.Json;
using Rebound.Act.Ddns.Engine;

namespace Rebound.Record;

/// <summary>
/// DDNS events in the same JSON Lines stream as the watcher's: one object per record name, so a consumer can follow
/// each name on its own (<c>name</c>, <c>provider</c>, <c>address</c>, <c>elapsedMs</c>). The <c>name</c> parameters
/// below are the record name of the copy being written.
/// </summary>
internal static class DdnsEventJson
{
    public static void Write(Utf8JsonWriter json, DdnsUpdated e, string? name)
    {
        json.WriteString("name", name);
        json.WriteString("address", e.Address.ToString());
        json.WriteString("provider", e.Provider);
        json.WriteNumber("elapsedMs", e.ElapsedMs);
        json.WriteBoolean("verified", e.Verified);
        json.WriteBoolean("unchanged", e.Unchanged);
        json.WriteBoolean("refresh", e.Refresh);
        json.WriteBoolean("drift", e.Drift);
        json.WriteString("target", e.TargetId);
    }

    public static void Write(Utf8JsonWriter json, DdnsFailed e, string? name)
    {
        json.WriteString("name", name);
        json.WriteString("provider", e.Provider);
        json.WriteString("error", e.Error);
        if (e.RetryIn is { } retry)
        {
            json.WriteNumber("retryInSeconds", Math.Round(retry.TotalSeconds, 1));
        }

        json.WriteBoolean("fatal", e.Fatal);
        json.WriteString("target", e.TargetId);
    }

    public static void Write(Utf8JsonWriter json, DdnsWarning e, string? name) =>
        json.WriteString("message", e.Message);

    public static string Text(DdnsUpdated e, string? name) =>
        $"{name} -> {e.Address} via {e.Provider} in {e.ElapsedMs} ms{(e.Drift ? " (corrected: the server held another address)" : "")}{(e.Verified ? " (published)" : e.Unchanged ? " (already current)" : "")}";

    public static string Text(DdnsFailed e, string? name) =>
        $"{name} via {e.Provider}: {e.Error}{(e.Fatal ? " (stopped until the config changes)" : e.RetryIn is { } r ? $" (retry in {r.TotalSeconds:0} s)" : "")}";

    public static string Text(DdnsWarning e, string? name) =>
        e.Message;
}
