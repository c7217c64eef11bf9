using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Heal;
using Rebound.Act.WireGuard;
using Rebound.Record;

namespace Rebound.Tests.Act.WireGuard;

/// <summary>The target against a fake UAPI daemon (<see cref="FakeUapiTransport"/>), fake pings and fake DNS, on fake time.</summary>
public sealed class WireGuardTargetTests
{
    private const string PeerKey = "dLA0crumNXJpebV+uMeNxBKg6EWd88NebXI/GJ8DbXY=";
    private static readonly IPAddress TunnelPeer = IPAddress.Parse("10.99.0.1");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeUapiTransport _daemon = new();
    private readonly FakeEchoPinger _pinger = new();
    private readonly FakeHostResolver _resolver = new();
    private readonly FakeCommandRunner _commands = new();
    private readonly FakePeer _peer;

    public WireGuardTargetTests()
    {
        _peer = new FakePeer(PeerKey)
        {
            Endpoint = IPEndPoint.Parse("203.0.113.20:51820"),
            LastHandshake = _time.GetUtcNow().AddSeconds(-20),
            Rx = 1000,
            Tx = 2000,
            Keepalive = 25,
        };
        _daemon.Peers.Add(_peer);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pinned_flow_is_diagnosed_with_evidence_and_healed_by_rotating_the_port()
    {
        var target = Target(ping: true, pickPort: _ => 43117);
        Assert.Equal("wireguard:wl0", target.Name);
        _pinger.Answer = _ => false; // the flow leaves through the dead WAN
        var trigger = AddressChanged();

        var diagnosis = await target.DiagnoseAsync(trigger, Ct);

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Contains(diagnosis.Evidence, l => l.StartsWith("peer dLA0crum… endpoint 203.0.113.20:51820: handshake 20.0 s ago", StringComparison.Ordinal));
        Assert.Contains("ping 10.99.0.1: no answer within 300 ms", diagnosis.Evidence);
        Assert.Contains("trigger public-address-changed: public address now 192.0.2.2", diagnosis.Evidence);
        Assert.Equal((TunnelPeer, TimeSpan.FromMilliseconds(300)), Assert.Single(_pinger.Pings));
        var applicable = target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind.ToName());
        Assert.Equal(["rotate-port"], applicable);

        Assert.False((await target.VerifyAsync(trigger, Ct)).Ok);
        var line = await target.Ladder.Single(a => a.Kind.ToName() == "rotate-port").RunAsync(trigger, Ct);

        Assert.Equal("listen port 51821 -> 43117", line);
        Assert.Equal(43117, _daemon.ListenPort);
        Assert.Equal(1, _daemon.KeepalivesSent); // the peer hears from the new port at once and roams
        Assert.Equal(25, _peer.Keepalive);
        _pinger.Answer = _ => true;
        var check = await target.VerifyAsync(trigger, Ct);
        Assert.True(check.Ok);
        Assert.Equal("ping 10.99.0.1: answered in 1.5 ms", check.Evidence);
    }

    [Fact]
    public async Task Without_pings_an_address_change_gets_a_keepalive_and_verifies_on_bytes_received()
    {
        var target = Target(ping: false);
        var trigger = AddressChanged();
        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.Equal(HealCondition.AddressChanged, diagnosis.Condition);
        Assert.Equal(["keepalive", "rotate-port"], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind.ToName()));

        var line = await target.Ladder[0].RunAsync(trigger, Ct);
        Assert.Equal("keepalive sent to 1 peer(s)", line);
        Assert.Equal(1, _daemon.KeepalivesSent);
        Assert.Contains("persistent_keepalive_interval=0\npersistent_keepalive_interval=25\n", Assert.Single(_daemon.SetRequests), StringComparison.Ordinal);

        var before = await target.VerifyAsync(trigger, Ct);
        Assert.False(before.Ok);
        Assert.Equal("no handshake and nothing received since the action", before.Evidence);
        _peer.Rx += 92;
        var after = await target.VerifyAsync(trigger, Ct);
        Assert.True(after.Ok);
        Assert.Equal("peer dLA0crum…: rx +92 B since the action", after.Evidence);
    }

    [Fact]
    public async Task A_peer_without_persistent_keepalive_gets_one_keepalive_and_keeps_it_off()
    {
        _peer.Keepalive = 0;
        var target = Target(ping: false);
        await target.Ladder[0].RunAsync(AddressChanged(), Ct);
        Assert.Equal(1, _daemon.KeepalivesSent);
        Assert.Equal(0, _peer.Keepalive);
    }

    [Fact]
    public async Task Diagnosis_reports_byte_deltas_since_the_previous_look()
    {
        var target = Target(ping: true);
        var first = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(HealCondition.Healthy, first.Condition);
        _time.Advance(TimeSpan.FromSeconds(10));
        _peer.Rx += 148;
        _peer.Tx += 96;
        var second = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Contains("peer dLA0crum… endpoint 203.0.113.20:51820: handshake 30.0 s ago, rx +148 B, tx +96 B in 10.0 s", second.Evidence);
        Assert.Contains("ping 10.99.0.1: answered in 1.5 ms", second.Evidence);
    }

    [Fact]
    public async Task Stale_handshake_with_keepalive_and_no_rx_is_a_pinned_flow_even_without_pings()
    {
        var target = Target(ping: false);
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Periodic(), Ct)).Condition);
        _time.Advance(TimeSpan.FromSeconds(150));
        var diagnosis = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Contains("handshake stale and nothing received although keepalive is on, while the upstream is up", diagnosis.Evidence);

        _peer.Rx += 32; // something arrives after all: not pinned
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Periodic(), Ct)).Condition);
    }

    [Fact]
    public async Task Upstream_down_needs_no_look_at_the_interface()
    {
        var target = Target(ping: true);
        _daemon.Broken = true;
        var diagnosis = await target.DiagnoseAsync(AddressChanged() with { UpstreamUp = false }, Ct);
        Assert.Equal(HealCondition.UpstreamDown, diagnosis.Condition);
        Assert.False(diagnosis.NeedsHealing);
        Assert.Empty(_pinger.Pings);
    }

    [Fact]
    public async Task An_unreachable_daemon_is_unhealthy_with_a_one_line_reason()
    {
        var target = Target(ping: true);
        _daemon.Broken = true;
        var diagnosis = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(HealCondition.Unhealthy, diagnosis.Condition);
        Assert.Equal("wl0: fake: Connection refused", Assert.Single(diagnosis.Evidence));
        var ex = await Assert.ThrowsAsync<HealActionException>(async () => await target.Ladder.Single(a => a.Kind.ToName() == "rotate-port").RunAsync(Periodic(), Ct));
        Assert.Equal("wl0: fake: Connection refused", ex.Message);
    }

    [Fact]
    public async Task A_peer_whose_name_moved_is_diagnosed_and_pointed_at_the_new_address()
    {
        _resolver.Answers["vpn.home.test"] = [IPAddress.Parse("192.0.2.2")];
        _peer.Endpoint = IPEndPoint.Parse("198.51.100.2:51820");
        var target = Target(ping: true, endpoints: new() { [PeerKey] = "vpn.home.test:51820" });
        _pinger.Answer = _ => false;

        var diagnosis = await target.DiagnoseAsync(AddressChanged(), Ct);
        Assert.Equal(HealCondition.PeerMoved, diagnosis.Condition);
        Assert.Contains("resolve vpn.home.test: 192.0.2.2", diagnosis.Evidence);
        Assert.Contains("peer dLA0crum…: vpn.home.test now resolves to 192.0.2.2:51820, endpoint is 198.51.100.2:51820", diagnosis.Evidence);
        Assert.Equal(["reresolve"], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind.ToName()));

        var line = await target.Ladder.Single(a => a.Kind.ToName() == "reresolve").RunAsync(AddressChanged(), Ct);
        Assert.Equal("peer dLA0crum…: endpoint 198.51.100.2:51820 -> 192.0.2.2:51820", line);
        Assert.Equal(IPEndPoint.Parse("192.0.2.2:51820"), _peer.Endpoint);
    }

    [Fact]
    public async Task Names_are_resolved_on_address_events_and_every_resolve_interval_not_on_every_look()
    {
        _resolver.Answers["vpn.home.test"] = [IPAddress.Parse("203.0.113.20")];
        var target = Target(ping: true, endpoints: new() { [PeerKey] = "vpn.home.test:51820" });
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Periodic(), Ct)).Condition);
        Assert.Single(_resolver.Asked);
        _time.Advance(TimeSpan.FromSeconds(10));
        await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Single(_resolver.Asked);
        await target.DiagnoseAsync(AddressChanged(), Ct);
        Assert.Equal(2, _resolver.Asked.Count);
        _time.Advance(TimeSpan.FromMinutes(5));
        _peer.LastHandshake = _time.GetUtcNow();
        await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(3, _resolver.Asked.Count);
    }

    [Fact]
    public async Task A_silent_tunnel_resolves_names_at_once_instead_of_waiting_for_the_resolve_interval()
    {
        _resolver.Answers["vpn.home.test"] = [IPAddress.Parse("203.0.113.20")];
        var target = Target(ping: true, endpoints: new() { [PeerKey] = "vpn.home.test:51820" });
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Periodic(), Ct)).Condition);
        Assert.Single(_resolver.Asked);

        // The other end was renumbered and published its new address; nothing on this side saw an event.
        _time.Advance(TimeSpan.FromSeconds(2));
        _resolver.Answers["vpn.home.test"] = [IPAddress.Parse("192.0.2.2")];
        _pinger.Answer = _ => false;
        var diagnosis = await target.DiagnoseAsync(Periodic(), Ct);

        Assert.Equal(HealCondition.PeerMoved, diagnosis.Condition);
        Assert.Equal(2, _resolver.Asked.Count);
        Assert.Contains("peer dLA0crum…: vpn.home.test now resolves to 192.0.2.2:51820, endpoint is 203.0.113.20:51820", diagnosis.Evidence);

        await target.Ladder.Single(a => a.Kind.ToName() == "reresolve").RunAsync(Periodic(), Ct);
        Assert.Equal(IPEndPoint.Parse("192.0.2.2:51820"), _peer.Endpoint);
        Assert.Equal(3, _resolver.Asked.Count);

        // Still silent with the name unchanged: a pinned flow, after one lookup in that diagnosis.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(Periodic(), Ct)).Condition);
        Assert.Equal(4, _resolver.Asked.Count);
    }

    [Fact]
    public async Task A_wg_quick_file_that_is_a_fifo_is_not_read_and_does_not_hang_the_diagnosis()
    {
        var file = Path.Combine(Path.GetTempPath(), $"rebound-wg-{Guid.NewGuid():N}.conf");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [file]))
        {
            await mkfifo.WaitForExitAsync(Ct);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        try
        {
            _resolver.Answers["vpn.home.test"] = [IPAddress.Parse("192.0.2.2")];
            var target = Target(ping: true, configFile: file);
            var diagnosis = await target.DiagnoseAsync(AddressChanged(), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.NotEqual(HealCondition.PeerMoved, diagnosis.Condition);
            Assert.Empty(_resolver.Asked);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Endpoints_come_from_the_wg_quick_file_when_not_configured()
    {
        var file = Path.Combine(Path.GetTempPath(), $"rebound-wg-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, $"[Interface]\nPrivateKey = x\n[Peer]\nPublicKey = {PeerKey}\nEndpoint = vpn.home.test:51820\n", Ct);
        try
        {
            _resolver.Answers["vpn.home.test"] = [IPAddress.Parse("192.0.2.2")];
            var target = Target(ping: true, configFile: file);
            Assert.Equal(HealCondition.PeerMoved, (await target.DiagnoseAsync(AddressChanged(), Ct)).Condition);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_rotated_port_is_restored_only_after_the_old_flow_has_expired()
    {
        var target = Target(ping: true, pickPort: _ => 43117, restorePort: true);
        await target.Ladder.Single(a => a.Kind.ToName() == "rotate-port").RunAsync(AddressChanged(), Ct);
        _time.Advance(TimeSpan.FromSeconds(179));
        var early = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(43117, _daemon.ListenPort);
        Assert.DoesNotContain(early.Evidence, l => l.Contains("restored", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromSeconds(2));
        var late = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(HealCondition.Healthy, late.Condition);
        Assert.Equal(51821, _daemon.ListenPort);
        Assert.Contains("listen port 43117 -> 51821 restored (181.0 s after the rotation; the old flow has expired)", late.Evidence);
        Assert.Equal(2, _daemon.KeepalivesSent);
    }

    [Fact]
    public async Task Without_restore_port_the_rotated_port_stays()
    {
        var target = Target(ping: true, pickPort: _ => 43117);
        await target.Ladder.Single(a => a.Kind.ToName() == "rotate-port").RunAsync(AddressChanged(), Ct);
        _time.Advance(TimeSpan.FromHours(1));
        await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(43117, _daemon.ListenPort);
    }

    [Fact]
    public async Task A_refused_port_is_retried_and_then_reported()
    {
        var target = Target(ping: true, pickPort: _ => 43117);
        _daemon.FailSetWithErrno = -98;
        var ex = await Assert.ThrowsAsync<HealActionException>(async () => await target.Ladder.Single(a => a.Kind.ToName() == "rotate-port").RunAsync(AddressChanged(), Ct));
        Assert.Equal("wl0: could not change the listen port: wl0: set refused with errno -98", ex.Message);
        Assert.Equal(3, _daemon.SetRequests.Count);
    }

    [Fact]
    public async Task The_restart_rung_exists_only_when_configured_and_reports_failure_in_one_line()
    {
        Assert.DoesNotContain(Target(ping: true).Ladder, a => a.IsRestart);
        var target = Target(ping: true, restart: ["systemctl", "restart", "wg-quick@wg0"]);
        var restart = target.Ladder[^1];
        Assert.True(restart.IsRestart);
        Assert.Equal("restart", restart.Kind.ToName());
        Assert.True(restart.AppliesTo(new HealDiagnosis(HealCondition.FlowPinned, [])));
        Assert.False(restart.AppliesTo(HealDiagnosis.Healthy()));
        Assert.Equal("ran systemctl restart wg-quick@wg0", await restart.RunAsync(AddressChanged(), Ct));
        _commands.ExitCode = 1;
        var ex = await Assert.ThrowsAsync<HealActionException>(async () => await restart.RunAsync(AddressChanged(), Ct));
        Assert.Equal("systemctl restart wg-quick@wg0 exited 1: Job for wg-quick@wg0.service failed.", ex.Message);
    }

    [Fact]
    public async Task A_missed_ping_while_the_peer_is_still_heard_from_does_not_rotate_the_port()
    {
        // A slow backup link (RTT above the ping timeout) or a ping target that is down: the peer's keepalives
        // still arrive and the handshake is fresh, so the flow is not pinned.
        var target = Target(ping: true, pickPort: _ => 43117);
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Periodic(), Ct)).Condition);
        _time.Advance(TimeSpan.FromSeconds(30));
        _peer.Rx += 32;
        _pinger.Answer = _ => false;

        var diagnosis = await target.DiagnoseAsync(Periodic(), Ct);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Contains("ping 10.99.0.1: no answer within 300 ms", diagnosis.Evidence);
        Assert.Contains("ping unanswered, but the peer is still heard from (rx advanced, handshake fresh): not pinned", diagnosis.Evidence);
        Assert.DoesNotContain(target.Ladder, a => a.AppliesTo(diagnosis));
        Assert.Equal(51821, _daemon.ListenPort);
    }

    [Fact]
    public async Task A_missed_ping_is_a_pinned_flow_when_nothing_arrived_since_the_previous_look_or_the_handshake_is_stale()
    {
        var target = Target(ping: true);
        await target.DiagnoseAsync(Periodic(), Ct);
        _pinger.Answer = _ => false;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(Periodic() with { Reason = HealReason.Retry }, Ct)).Condition);

        _time.Advance(TimeSpan.FromSeconds(120)); // handshake 145 s old: past REKEY_AFTER_TIME + REKEY_TIMEOUT + jitter
        _peer.Rx += 32;
        var stale = await target.DiagnoseAsync(Periodic(), Ct);
        Assert.Equal(HealCondition.FlowPinned, stale.Condition);
        Assert.Contains("tunnel silent while the upstream is up: its flow is stuck on the old path", stale.Evidence);
    }

    [Fact]
    public async Task Right_after_an_address_change_a_missed_ping_rotates_at_once_even_if_bytes_arrived_before()
    {
        var target = Target(ping: true, pickPort: _ => 43117);
        await target.DiagnoseAsync(Periodic(), Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        _peer.Rx += 148; // arrived before the failover
        _pinger.Answer = _ => false;

        var diagnosis = await target.DiagnoseAsync(AddressChanged(), Ct);

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Equal(["rotate-port"], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind.ToName()));
        Assert.Equal(2, _pinger.Pings.Count); // one echo per diagnosis: no extra waiting
        var upstreamBack = await target.DiagnoseAsync(AddressChanged() with { Reason = HealReason.UpstreamRestored }, Ct);
        Assert.Equal(HealCondition.FlowPinned, upstreamBack.Condition);
    }

    [Fact]
    public async Task The_ping_timeout_is_configurable()
    {
        var target = Target(ping: true, pingTimeout: TimeSpan.FromSeconds(1));
        _pinger.Answer = _ => false;
        var diagnosis = await target.DiagnoseAsync(AddressChanged(), Ct);
        Assert.Contains("ping 10.99.0.1: no answer within 1000 ms", diagnosis.Evidence);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(_pinger.Pings).Timeout);
        Assert.Equal("ping 10.99.0.1: no answer within 1000 ms", (await target.VerifyAsync(AddressChanged(), Ct)).Evidence);
    }

    [Fact]
    public async Task A_restart_without_pings_verifies_on_a_handshake_or_bytes_after_it()
    {
        var target = Target(ping: false, restart: ["systemctl", "restart", "wg-quick@wl0"]);
        await target.DiagnoseAsync(Periodic(), Ct);
        _commands.OnRun = () => (_peer.Rx, _peer.Tx, _peer.LastHandshake) = (0, 0, null); // a fresh interface
        await target.Ladder.Single(a => a.IsRestart).RunAsync(AddressChanged(), Ct);

        var before = await target.VerifyAsync(AddressChanged(), Ct);
        Assert.False(before.Ok);
        Assert.Equal("no handshake and nothing received since the action", before.Evidence);

        _time.Advance(TimeSpan.FromSeconds(1));
        _peer.LastHandshake = _time.GetUtcNow();
        _peer.Rx = 50;
        var after = await target.VerifyAsync(AddressChanged(), Ct);
        Assert.True(after.Ok);
        Assert.Equal("peer dLA0crum…: new handshake since the action", after.Evidence);
    }

    [Fact]
    public async Task A_restart_of_an_unreachable_interface_verifies_on_bytes_from_any_peer_after_it()
    {
        var target = Target(ping: false, restart: ["systemctl", "restart", "wg-quick@wl0"]);
        _daemon.Broken = true; // no baseline can be read before the restart
        _commands.OnRun = () =>
        {
            _daemon.Broken = false;
            (_peer.Rx, _peer.Tx, _peer.LastHandshake) = (0, 0, null);
        };
        await target.Ladder.Single(a => a.IsRestart).RunAsync(AddressChanged(), Ct);
        Assert.False((await target.VerifyAsync(AddressChanged(), Ct)).Ok);
        _peer.Rx = 92;
        var after = await target.VerifyAsync(AddressChanged(), Ct);
        Assert.True(after.Ok);
        Assert.Equal("peer dLA0crum…: rx +92 B since the action", after.Evidence);
    }

    private static HealTrigger AddressChanged() => new(
        DateTimeOffset.UnixEpoch, HealReason.PublicAddressChanged, null, IPAddress.Parse("192.0.2.2"), null, UpstreamUp: true, null, null);

    private static HealTrigger Periodic() => new(DateTimeOffset.UnixEpoch, HealReason.Periodic, null, IPAddress.Parse("192.0.2.2"), null, true, null, null);

    private WireGuardTarget Target(
        bool ping,
        Func<int, int>? pickPort = null,
        bool restorePort = false,
        Dictionary<string, string>? endpoints = null,
        string? configFile = null,
        string[]? restart = null,
        TimeSpan? pingTimeout = null) =>
        new(
            new WireGuardTargetOptions
            {
                Interface = "wl0",
                VerifyPing = ping ? [TunnelPeer] : [],
                PickPort = pickPort,
                RestorePort = restorePort,
                Endpoints = endpoints ?? [],
                ConfigFile = configFile,
                RestartCommand = restart,
                PingTimeout = pingTimeout ?? WireGuardTargetOptions.DefaultPingTimeout,
            },
            new UapiWireGuardControl("wl0", _daemon, "fake"),
            _pinger,
            _resolver,
            _time,
            _commands);
}
