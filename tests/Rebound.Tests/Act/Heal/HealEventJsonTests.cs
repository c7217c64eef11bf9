using System.Text.Json;
using Rebound.Act.Heal;
using Rebound.Record;

namespace Rebound.Tests.Act.Heal;

public sealed class HealEventJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 4, 40, 0, 123, TimeSpan.Zero);
    private static readonly HealDiagnosis Pinned = new(HealCondition.FlowPinned, ["last handshake 190 s ago", "stun ok via 203.0.113.10"]);

    private static RecordedEvent Recorded(HealEvent e) => Assert.Single(EventCatalogue.Record(e));

    private static string Json(HealEvent e) => Recorded(e).Json;

    private static string Text(HealEvent e) => Recorded(e).Text;

    [Fact]
    public void Every_event_has_the_envelope_then_the_target_then_its_fields_in_a_fixed_order()
    {
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-started","target":"wireguard:wg0","reason":"public-address-changed","diagnosis":"flow-pinned","evidence":["last handshake 190 s ago","stun ok via 203.0.113.10"]}""",
            Json(new HealStarted(At, "wireguard:wg0", HealReason.PublicAddressChanged, Pinned)));
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-step","target":"wireguard:wg0","action":"rotate-port","result":"done","durationMs":12,"detail":"listen port 51820 -\u003E 43117"}""",
            Json(new HealStep(At, "wireguard:wg0", HealActionKind.RotatePort, HealStepResult.Done, 12, "listen port 51820 -> 43117")));
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-verified","target":"tailscale","action":"rebind","elapsedMs":2140,"evidence":["direct path 198.51.100.7:41641"]}""",
            Json(new HealVerified(At, "tailscale", HealActionKind.Rebind, 2140, "direct path 198.51.100.7:41641")));
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-failed","target":"tailscale","error":"no rung verified","restartsExhausted":true,"retryInSeconds":20}""",
            Json(new HealFailed(At, "tailscale", "no rung verified", true, TimeSpan.FromSeconds(20))));
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-failed","target":"tailscale","error":"x","restartsExhausted":false}""",
            Json(new HealFailed(At, "tailscale", "x", false, null)));
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-skipped","target":"router:conntrack","reason":"upstream-restored","diagnosis":"upstream-down","evidence":[]}""",
            Json(new HealSkipped(At, "router:conntrack", HealReason.UpstreamRestored, new HealDiagnosis(HealCondition.UpstreamDown, []))));
        Assert.Equal(
            """{"time":"2026-11-26T04:40:00.123Z","event":"heal-warning","target":"","message":"m"}""",
            Json(new HealWarning(At, "", "m")));
    }

    [Fact]
    public void Recorded_events_carry_kind_target_and_the_same_json()
    {
        var e = new HealVerified(At, "tailscale", HealActionKind.Rebind, 5, "ok");
        var recorded = Recorded(e);
        Assert.Equal(("heal-verified", "tailscale", At), (recorded.Kind, recorded.Target, recorded.Time));
        Assert.Same(e, recorded.Source);
        using var doc = JsonDocument.Parse(recorded.Json);
        Assert.Equal(5, doc.RootElement.GetProperty("elapsedMs").GetInt64());
        Assert.Null(Recorded(new HealWarning(At, "", "m")).Target);
    }

    [Fact]
    public void Text_is_one_readable_line_per_event()
    {
        Assert.Equal("2026-11-26T04:40:00.123Z heal-started wireguard:wg0 flow-pinned after periodic (last handshake 190 s ago; stun ok via 203.0.113.10)",
            Text(new HealStarted(At, "wireguard:wg0", HealReason.Periodic, Pinned)));
        Assert.Equal("2026-11-26T04:40:00.123Z heal-step wireguard:wg0 keepalive unverified in 10000 ms: no handshake",
            Text(new HealStep(At, "wireguard:wg0", HealActionKind.Keepalive, HealStepResult.Unverified, 10000, "no handshake")));
        Assert.Equal("2026-11-26T04:40:00.123Z heal-failed tailscale no rung verified (RESTART BUDGET SPENT: no more restarts this hour) (retry in 300 s)",
            Text(new HealFailed(At, "tailscale", "no rung verified", true, TimeSpan.FromMinutes(5))));
        Assert.Equal("2026-11-26T04:40:00.123Z heal-verified tailscale works again after rebind, 2140 ms after detection (direct)",
            Text(new HealVerified(At, "tailscale", HealActionKind.Rebind, 2140, "direct")));
        Assert.DoesNotContain('\n', Text(new HealSkipped(At, "t", HealReason.Startup, HealDiagnosis.Healthy("a", "b"))));
    }
}
