using System.Text.Json;
using Rebound.Decide;

namespace Rebound.Record;

/// <summary>
/// The JSON Lines contract of <c>rebound watch --json</c>: one object per event with <c>time</c> and
/// <c>event</c> first. Written by hand with <see cref="Utf8JsonWriter"/> so field order and names are fixed.
/// </summary>
public static class WanEventJson
{
    public static void Write(Utf8JsonWriter json, WanEvent e)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(e);
        EventTime.WriteEnvelope(json, e.Time, e.Name);
        switch (e)
        {
            case WatcherStarted s:
                json.WriteStartObject("addresses");
                json.WriteString("ipv4", s.Ipv4?.ToString());
                json.WriteString("ipv6", s.Ipv6?.ToString());
                json.WriteEndObject();
                json.WriteStartArray("servers");
                foreach (var server in s.Servers)
                {
                    json.WriteStringValue(server);
                }

                json.WriteEndArray();
                break;
            case PublicAddressChanged c:
                json.WriteString("family", c.Family.ToName());
                json.WriteString("old", c.Old?.ToString());
                json.WriteString("new", c.New.ToString());
                WriteEvidence(json, c.Evidence);
                break;
            case UpstreamLost l:
                json.WriteString("family", l.Family.ToName());
                json.WriteString("lastAddress", l.LastAddress?.ToString());
                WriteEvidence(json, l.Evidence);
                break;
            case UpstreamRestored r:
                json.WriteString("family", r.Family.ToName());
                json.WriteString("address", r.Address.ToString());
                WriteEvidence(json, r.Evidence);
                break;
            case LocalNetworkChanged n:
                json.WriteStartArray("differences");
                foreach (var d in n.Differences)
                {
                    json.WriteStringValue(d);
                }

                json.WriteEndArray();
                break;
        }

        json.WriteEndObject();
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
        json.WriteString("family", o.Family.ToName());
        json.WriteString("address", o.Address?.ToString());
        if (port is { } p)
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
