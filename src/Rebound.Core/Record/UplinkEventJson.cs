using System.Text.Json;
using Rebound.Sense.Uplinks;

namespace Rebound.Record;

/// <summary>The fields of <c>uplink-down</c> and <c>uplink-up</c> (router mode): interface, family, address, evidence.</summary>
public static class UplinkEventJson
{
    internal static void Write(Utf8JsonWriter json, UplinkEvent e)
    {
        json.WriteString("interface", e.Interface);
        json.WriteString("family", e.Family.ToName());
        json.WriteString("address", e.Address?.ToString());
        json.WriteString("evidence", e.Evidence);
    }

    internal static string Text(UplinkEvent e) =>
        $"{e.Interface} {e.Family.ToName()} {e.Address?.ToString() ?? "none"} ({e.Evidence})";
}
