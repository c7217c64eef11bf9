using System.Net;
using System.Text;
using System.Text.Json;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Tests.Record.Status;

/// <summary>RecordedEvents as the agent would record them, with the same JSON the console prints.</summary>
internal static class SyntheticEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    private static readonly WanEvidence Evidence = new("interval", 2, [new ProbeObservation("stun1", IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), TimeSpan.FromMilliseconds(3), null)]);

    public static RecordedEvent Started(DateTimeOffset time, string? ipv4, string? ipv6 = null) =>
        Wan(new WatcherStarted(time, ipv4 is null ? null : IPAddress.Parse(ipv4), ipv6 is null ? null : IPAddress.Parse(ipv6), ["stun1", "stun2"]));

    public static RecordedEvent AddressChanged(DateTimeOffset time, string? old, string @new) =>
        Wan(new PublicAddressChanged(time, IpFamilyNames.Of(IPAddress.Parse(@new)), old is null ? null : IPAddress.Parse(old), IPAddress.Parse(@new), Evidence));

    public static RecordedEvent Lost(DateTimeOffset time, string last) =>
        Wan(new UpstreamLost(time, IpFamilyNames.Of(IPAddress.Parse(last)), IPAddress.Parse(last), Evidence));

    public static RecordedEvent Restored(DateTimeOffset time, string address) =>
        Wan(new UpstreamRestored(time, IpFamilyNames.Of(IPAddress.Parse(address)), IPAddress.Parse(address), Evidence));

    public static RecordedEvent Wan(WanEvent e) =>
        new(e.Time, e.Name, null, Write(json => WanEventJson.Write(json, e)), e);

    public static RecordedEvent HealStarted(DateTimeOffset time, string target, string reason = "public-address-changed") =>
        Heal(new HealStarted(time, target, reason, new HealDiagnosis(HealCondition.AddressChanged, ["handshake 190 s old"])));

    public static RecordedEvent HealStep(DateTimeOffset time, string target, string action, string result, long ms = 20) =>
        Heal(new HealStep(time, target, action, result, ms, $"{action} {result}"));

    public static RecordedEvent HealVerified(DateTimeOffset time, string target, string action, long elapsedMs) =>
        Heal(new HealVerified(time, target, action, elapsedMs, "handshake 1 s old"));

    public static RecordedEvent HealFailed(DateTimeOffset time, string target, string error) =>
        Heal(new HealFailed(time, target, error, false, TimeSpan.FromMinutes(1)));

    public static RecordedEvent Heal(HealEvent e) =>
        new(e.Time, e.Name, e.Target, Write(json =>
        {
            EventTime.WriteEnvelope(json, e.Time, e.Name);
            json.WriteString("target", e.Target);
            if (e is HealVerified v)
            {
                json.WriteString("action", v.Action);
                json.WriteNumber("elapsedMs", v.ElapsedMs);
            }

            json.WriteEndObject();
        }), e);

    public static RecordedEvent DdnsUpdated(DateTimeOffset time, string target, string provider, string address, long elapsedMs, bool refresh = false)
    {
        var e = new DdnsUpdated(time, target, provider, ["home.example.org"], IPAddress.Parse(address), elapsedMs, Verified: true) { Refresh = refresh };
        return new(e.Time, e.Name, target, Write(json => DdnsEventJson.Write(json, e, "home.example.org")), e);
    }

    public static RecordedEvent DdnsFailed(DateTimeOffset time, string target, string provider, string error)
    {
        var e = new DdnsFailed(time, target, provider, ["home.example.org"], error, TimeSpan.FromSeconds(30), false);
        return new(e.Time, e.Name, target, Write(json => DdnsEventJson.Write(json, e, "home.example.org")), e);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
