using System.Net;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Tests.Record.Status;

/// <summary>RecordedEvents as the agent would record them (through the catalogue), with the JSON the console prints.</summary>
internal static class SyntheticEvents
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    private static readonly WanEvidence Evidence = new("interval", 2, [new ProbeObservation("stun1", IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), TimeSpan.FromMilliseconds(3), null)]);

    public static RecordedEvent Started(DateTimeOffset time, string? ipv4, string? ipv6 = null) =>
        Wan(new WatcherStarted(time, ipv4 is null ? null : IPAddress.Parse(ipv4), ipv6 is null ? null : IPAddress.Parse(ipv6), ["stun1", "stun2"]));

    /// <param name="detectedIn">The time since the last round that saw the old address (the event's detection latency); null: unknown.</param>
    public static RecordedEvent AddressChanged(DateTimeOffset time, string? old, string @new, TimeSpan? detectedIn = null) =>
        Wan(new PublicAddressChanged(time, IpFamilyNames.Of(IPAddress.Parse(@new)), old is null ? null : IPAddress.Parse(old), IPAddress.Parse(@new), EvidenceAt(time, detectedIn)));

    public static RecordedEvent Lost(DateTimeOffset time, string last, TimeSpan? detectedIn = null) =>
        Wan(new UpstreamLost(time, IpFamilyNames.Of(IPAddress.Parse(last)), IPAddress.Parse(last), EvidenceAt(time, detectedIn)));

    public static RecordedEvent Restored(DateTimeOffset time, string address) =>
        Wan(new UpstreamRestored(time, IpFamilyNames.Of(IPAddress.Parse(address)), IPAddress.Parse(address), Evidence));

    public static RecordedEvent Wan(WanEvent e) => Single(e);

    public static RecordedEvent HealStarted(DateTimeOffset time, string target, string reason = "public-address-changed") =>
        Single(new HealStarted(time, target, Parse<HealReason>(reason), new HealDiagnosis(HealCondition.AddressChanged, ["handshake 190 s old"])));

    public static RecordedEvent HealStep(DateTimeOffset time, string target, string action, string result, long ms = 20) =>
        Single(new HealStep(time, target, Parse<HealActionKind>(action), Parse<HealStepResult>(result), ms, $"{action} {result}"));

    public static RecordedEvent HealVerified(DateTimeOffset time, string target, string action, long elapsedMs) =>
        Single(new HealVerified(time, target, Parse<HealActionKind>(action), elapsedMs, "handshake 1 s old"));

    public static RecordedEvent HealFailed(DateTimeOffset time, string target, string error) =>
        Single(new HealFailed(time, target, error, false, TimeSpan.FromMinutes(1)));

    public static RecordedEvent DdnsUpdated(DateTimeOffset time, string target, string provider, string address, long elapsedMs, bool refresh = false) =>
        Single(new DdnsUpdated(time, target, provider, ["home.example.org"], IPAddress.Parse(address), elapsedMs, Verified: true) { Refresh = refresh });

    public static RecordedEvent DdnsFailed(DateTimeOffset time, string target, string provider, string error) =>
        Single(new DdnsFailed(time, target, provider, ["home.example.org"], error, TimeSpan.FromSeconds(30), false));

    private static WanEvidence EvidenceAt(DateTimeOffset time, TimeSpan? detectedIn) =>
        detectedIn is { } latency ? Evidence with { LastSteady = time - latency } : Evidence;

    private static RecordedEvent Single(ReboundEvent e) => Assert.Single(EventCatalogue.Record(e));

    private static T Parse<T>(string name)
        where T : struct, Enum =>
        JsonNames.TryParse<T>(name, out var value) ? value : throw new ArgumentException($"not a {typeof(T).Name}: {name}", nameof(name));
}
