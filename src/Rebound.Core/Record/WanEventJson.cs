using System.Text.Json;
using Rebound.Decide;

namespace Rebound.Record;

/// <summary>
/// The fields of the watcher's events in the JSON Lines contract of <c>rebound watch --json</c>, after <c>time</c> and
/// <c>event</c> (<see cref="EventCatalogue"/> writes those). Written by hand with <see cref="Utf8JsonWriter"/> so field
/// order and names are fixed.
/// </summary>
public static class WanEventJson
{
    internal static void Write(Utf8JsonWriter json, WatcherStarted e)
    {
        json.WriteStartObject("addresses");
        json.WriteString("ipv4", e.Ipv4?.ToString());
        json.WriteString("ipv6", e.Ipv6?.ToString());
        json.WriteEndObject();
        WriteStrings(json, "servers", e.Servers);
    }

    internal static void Write(Utf8JsonWriter json, PublicAddressChanged e)
    {
        json.WriteString("family", e.Family.ToName());
        json.WriteString("old", e.Old?.ToString());
        json.WriteString("new", e.New.ToString());
        if (e.Ambiguous)
        {
            json.WriteBoolean("ambiguous", true);
            WriteStrings(json, "seen", [.. e.Seen.Select(a => a.ToString())]);
        }

        WriteEvidence(json, e.Evidence);
    }

    internal static void Write(Utf8JsonWriter json, SourcesDegraded e)
    {
        json.WriteString("family", e.Family.ToName());
        WriteStrings(json, "working", [.. e.Working.Select(k => k.ToName())]);
        json.WriteStartArray("failing");
        foreach (var f in e.Failing)
        {
            json.WriteStartObject();
            json.WriteString("kind", f.Kind.ToName());
            json.WriteString("errors", f.Errors);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    internal static void Write(Utf8JsonWriter json, SourcesRecovered e)
    {
        json.WriteString("family", e.Family.ToName());
        WriteStrings(json, "recovered", [.. e.Recovered.Select(k => k.ToName())]);
    }

    internal static void Write(Utf8JsonWriter json, UpstreamLost e)
    {
        json.WriteString("family", e.Family.ToName());
        json.WriteString("lastAddress", e.LastAddress?.ToString());
        WriteEvidence(json, e.Evidence);
    }

    internal static void Write(Utf8JsonWriter json, UpstreamRestored e)
    {
        json.WriteString("family", e.Family.ToName());
        json.WriteString("address", e.Address.ToString());
        WriteEvidence(json, e.Evidence);
    }

    internal static void Write(Utf8JsonWriter json, LocalNetworkChanged e) =>
        WriteStrings(json, "differences", e.Differences);

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteEvidence(Utf8JsonWriter json, WanEvidence evidence)
    {
        json.WriteStartObject("evidence");
        json.WriteString("trigger", evidence.Trigger);
        json.WriteNumber("rounds", evidence.Rounds);
        if (evidence.LastSteady is { } steady)
        {
            json.WriteString("lastSteady", EventTime.Format(steady));
        }

        json.WriteStartArray("servers");
        foreach (var o in evidence.Observations)
        {
            WriteObservation(json, o);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One server's answer; shared with <c>rebound probe --json</c>.</summary>
    public static void WriteObservation(Utf8JsonWriter json, ProbeObservation o, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(o);
        json.WriteStartObject();
        json.WriteString("server", o.Server);
        json.WriteString("kind", o.Kind.ToName());
        json.WriteString("family", o.Family.ToName());
        json.WriteString("address", o.Address?.ToString());
        if ((port ?? o.Port) is { } p)
        {
            json.WriteNumber("port", p);
        }

        if (o.Address is not null)
        {
            json.WriteNumber("rttMs", Math.Round(o.Rtt.TotalMilliseconds, 2));
        }

        json.WriteString("error", o.Error);
        json.WriteEndObject();
    }
}
