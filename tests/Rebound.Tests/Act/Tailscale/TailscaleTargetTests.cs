using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Heal;
using Rebound.Act.Remedies;
using Rebound.Act.Systemd;
using Rebound.Act.Tailscale;
using Rebound.Record;
using Rebound.Tests.Fakes;
using Rebound.Transport;

namespace Rebound.Tests.Act.Tailscale;

/// <summary>
/// TailscaleTarget against FakeTailscaled (a LocalAPI server on a real unix socket) and, for the restart
/// rung, FakeSystemdManager on a private dbus-daemon. hop-port and reset-tcp act on the fake as the network and the
/// kernel would (a changed source port unpins it; a destroyed connection makes it reconnect). A tiny ladder driver
/// stands in for the heal engine.
/// </summary>
public sealed class TailscaleTargetTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 14, 0, 0, TimeSpan.Zero));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HealTrigger AddressChanged => new(
        _time.GetUtcNow(), HealReason.PublicAddressChanged, null, IPAddress.Parse(FakeTailscaled.NewPublic), null, UpstreamUp: true, null, null);

    private TailscaleTarget Target(FakeTailscaled fake, IUnitRestarter restarter, bool remedies = true, int? port = 41641, params IPAddress[] pingPeers) => new(
        new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = fake.SocketPath }),
        restarter,
        new TailscaleTargetOptions { PingPeers = pingPeers, Port = port },
        remedies ? new NetworkHopper(fake) : null,
        remedies ? new KernelTcp(fake) : null,
        timeProvider: _time);

    /// <summary>Climbs the ladder like the heal engine: each applicable rung, then verification, until one verifies.</summary>
    private static async Task<(List<string> Rungs, HealCheck? Verified)> ClimbAsync(TailscaleTarget target, HealTrigger trigger)
    {
        var rungs = new List<string>();
        var diagnosis = await target.DiagnoseAsync(trigger, Token);
        if (!diagnosis.NeedsHealing)
            return (rungs, null);
        foreach (var action in target.Ladder.Where(a => a.AppliesTo(diagnosis)))
        {
            var line = await action.RunAsync(trigger, Token);
            rungs.Add(action.Kind.ToName());
            Assert.False(string.IsNullOrWhiteSpace(line));
            var check = await target.VerifyAsync(trigger, Token);
            if (check.Ok)
                return (rungs, check);
        }

        return (rungs, null);
    }

    [Fact]
    public async Task Ladder_is_reset_tcp_hop_port_then_restart()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var restarter = new NoRestart();
        await using var tailscale = Target(fake, restarter);
        await using var bare = Target(fake, restarter, remedies: false);

        Assert.Equal("tailscale", tailscale.Name);
        Assert.Equal(["reset-tcp", "hop-port", "restart"], tailscale.Ladder.Select(a => a.Kind.ToName()));
        Assert.Equal([false, false, true], tailscale.Ladder.Select(a => a.IsRestart));
        Assert.Equal(["restart"], bare.Ladder.Select(a => a.Kind.ToName()));
        Assert.Equal(TimeSpan.FromSeconds(20), tailscale.VerifyDeadline);
    }

    [Fact]
    public async Task FakeTailscaled_healthy_needs_nothing()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);
        _time.Advance(TimeSpan.FromSeconds(7)); // past magicsock's trust in a pre-change address

        var diagnosis = await target.DiagnoseAsync(AddressChanged with { DetectedAt = _time.GetUtcNow() - TimeSpan.FromSeconds(7) }, Token);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Equal("online, Self.Addrs 203.0.113.20:41641 192.168.1.10:41641", diagnosis.Evidence[0]);
        Assert.Contains("direct path to 1 peer(s) (laptop at 192.0.2.7:41641)", diagnosis.Evidence);
        Assert.Empty(fake.Actions);
    }

    [Fact]
    public async Task FakeTailscaled_pinned_is_told_from_a_dead_control_connection_by_its_evidence()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);

        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Equal(
            [
                "Self.Addrs lacks the public address 203.0.113.20 (198.51.100.20:41641 192.168.1.10:41641)",
                "1 online peers relayed via DERP (laptop via fra)",
                $"udp port 41641 (port =), tailscaled pid {Environment.ProcessId}",
                "direct path lost to 1 of 1 peer(s) (laptop): relayed via DERP",
                "tcp of tailscaled (control, DERP): 1 silent since the change, dead: tcp 10.77.0.2:50000 -> 203.0.113.42:443 (owner unknown, silent 3.0 s)",
                "STUN works (public address 203.0.113.20) while the direct path does not: pinned to the old uplink",
            ],
            diagnosis.Evidence);
    }

    [Fact]
    public async Task Upstream_down_is_not_healed()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);

        var diagnosis = await target.DiagnoseAsync(AddressChanged with { UpstreamUp = false }, Token);

        Assert.Equal(HealCondition.UpstreamDown, diagnosis.Condition);
        Assert.False(diagnosis.NeedsHealing);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task FakeTailscaled_pinned_is_healed_by_reset_tcp_then_hop_port_and_never_restarted()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter, pingPeers: IPAddress.Parse(FakeTailscaled.Peer));
        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

        var reset = target.Ladder[0];
        Assert.Equal("destroyed 1: tcp 10.77.0.2:50000 -> 203.0.113.42:443 (owner unknown, silent 3.0 s)", await reset.RunAsync(AddressChanged, Token));
        var afterReset = await target.VerifyAsync(AddressChanged, Token);
        // Control is back; the pinned direct path is hop-port's, so the engine escalates at once.
        Assert.False(afterReset.Ok);
        Assert.True(afterReset.NextRung);
        Assert.False(fake.ControlDead);
        Assert.True(fake.Pinned);

        var hop = target.Ladder[1];
        Assert.True(hop.AppliesTo(diagnosis));
        Assert.Equal("udp sport 41641 masqueraded; restun done", await hop.RunAsync(AddressChanged, Token));
        var verified = await target.VerifyAsync(AddressChanged, Token);

        Assert.True(verified.Ok, verified.Evidence);
        Assert.Equal("control connected (1 tcp connection(s) heard from since the change); pong 100.64.0.2 12.3 ms direct 192.0.2.7:41641", verified.Evidence);
        Assert.Equal(["restun"], fake.Actions);
        Assert.Equal(0, restarter.Calls);
    }

    [Fact]
    public async Task Without_hop_port_a_pinned_fake_tailscaled_is_restarted_once_and_stays_pinned()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        var restarter = new FakeRestart(fake);
        await using var target = Target(fake, restarter, remedies: false, pingPeers: IPAddress.Parse(FakeTailscaled.Peer));

        var (rungs, verified) = await ClimbAsync(target, AddressChanged);

        Assert.Equal(["restart"], rungs);
        Assert.Null(verified);
        // The restart reconnected control, but bound 41641 again: still pinned, STUN too.
        Assert.False(fake.ControlDead);
        Assert.True(fake.Pinned);
        var check = await target.VerifyAsync(AddressChanged, Token);
        Assert.Contains("disco ping 100.64.0.2: pong via DERP region 1, no direct path", check.Evidence, StringComparison.Ordinal);

        // The loop guard: the same public address, the same port: no second restart.
        _time.Advance(TimeSpan.FromSeconds(30));
        var again = await target.DiagnoseAsync(AddressChanged with { Reason = HealReason.Retry }, Token);
        Assert.Equal(HealCondition.FlowPinned, again.Condition);
        Assert.Contains(again.Evidence, l => l.StartsWith("restart not repeated: the one 30 s ago", StringComparison.Ordinal));
        Assert.DoesNotContain(target.Ladder, a => a.AppliesTo(again));
        Assert.Equal(1, restarter.Calls);
    }

    [Fact]
    public async Task FakeTailscaled_stuck_is_healed_by_the_restart_rung_over_FakeSystemd_on_a_real_bus()
    {
        await using var bus = await PrivateDbusDaemon.StartAsync();
        using var systemd = await FakeSystemdManager.StartAsync(bus.Address);
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck);
        systemd.Units["tailscaled.service"] = "done";
        systemd.OnRestart = unit => fake.Restart();
        var restarter = new SystemdUnitRestarter(new SystemdUnitRestarterOptions { BusAddress = bus.Address, Timeout = TimeSpan.FromSeconds(20) });
        await using var target = Target(fake, restarter, pingPeers: IPAddress.Parse(FakeTailscaled.Peer));
        var trigger = AddressChanged;
        _time.Advance(TimeSpan.FromSeconds(7)); // the peer's current address is past magicsock's trust in a pre-change one

        var (rungs, verified) = await ClimbAsync(target, trigger);

        // Offline control, direct path fine: reset-tcp finds nothing dead, hop-port does not apply, the restart heals.
        Assert.Equal(["reset-tcp", "restart"], rungs);
        Assert.Equal(["restart"], fake.Actions);
        Assert.Contains("RestartUnit tailscaled.service replace", systemd.Calls);
        Assert.True(verified!.Value.Ok);
    }

    [Fact]
    public async Task FakeSystemd_failed_restart_job_fails_the_rung_with_one_line()
    {
        await using var bus = await PrivateDbusDaemon.StartAsync();
        using var systemd = await FakeSystemdManager.StartAsync(bus.Address);
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck);
        systemd.Units["tailscaled.service"] = "failed";
        await using var target = Target(fake, new SystemdUnitRestarter(new SystemdUnitRestarterOptions { BusAddress = bus.Address }));

        var ex = await Assert.ThrowsAsync<HealActionException>(() => target.Ladder[^1].RunAsync(AddressChanged, Token).AsTask());

        Assert.Equal("restarting tailscaled.service ended with job result \"failed\" (see journalctl -u tailscaled.service)", ex.Message);
        Assert.False(fake.Healed);
    }

    [Fact]
    public async Task FakeTailscaled_verification_waits_for_the_disco_ping_to_a_configured_peer()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter, pingPeers: IPAddress.Parse("100.64.0.99"));

        var check = await target.VerifyAsync(AddressChanged, Token);

        Assert.False(check.Ok);
        Assert.Equal("control connected (Self.Online); disco ping 100.64.0.99: tailscaled answered POST /localapi/v0/ping with 500: no matching peer", check.Evidence);
    }

    [Fact]
    public async Task FakeTailscaled_without_write_permission_still_hops_and_says_why_restun_failed()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned) { PermitWrite = false };
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);
        await target.DiagnoseAsync(AddressChanged, Token);

        var detail = await target.Ladder[1].RunAsync(AddressChanged, Token);

        Assert.StartsWith("udp sport 41641 masqueraded; restun failed: tailscaled denied POST /localapi/v0/debug (403", detail, StringComparison.Ordinal);
        Assert.False(fake.Pinned);
    }

    [Fact]
    public async Task Udp_port_is_found_from_tailscaleds_own_sockets_on_an_advertised_port()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        using var restarter = new NoRestart();
        var proc = Directory.CreateTempSubdirectory("rebound-proc-").FullName;
        try
        {
            // /proc/net/udp: 41641 (advertised in Self.Addrs) and 5353 (not) held by this process, 41642 by no one.
            Directory.CreateDirectory(Path.Combine(proc, "net"));
            File.WriteAllText(Path.Combine(proc, "net", "udp"), string.Join('\n',
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   1: 00000000:A2A9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0",
                "   2: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0",
                "   3: 00000000:A2AA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4244 2 0000000000000000 0"));
            File.WriteAllText(Path.Combine(proc, "net", "udp6"), "header\n");
            var fd = Path.Combine(proc, Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "fd");
            Directory.CreateDirectory(fd);
            File.CreateSymbolicLink(Path.Combine(fd, "3"), "socket:[4242]");
            File.CreateSymbolicLink(Path.Combine(fd, "4"), "socket:[4243]");
            await using var target = new TailscaleTarget(
                new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = fake.SocketPath }), restarter,
                new TailscaleTargetOptions(), new NetworkHopper(fake), null, new ProcSockets(proc), _time);

            var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

            Assert.Contains($"magicsock udp port 41641 (tailscaled pid {Environment.ProcessId})", diagnosis.Evidence);
        }
        finally
        {
            Directory.Delete(proc, recursive: true);
        }
    }

    [Fact]
    public async Task Unknown_udp_port_makes_hop_port_not_applicable_with_its_reason()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Pinned);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter, port: null);

        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);
        var ex = await Assert.ThrowsAsync<HealActionNotApplicableException>(() => target.Ladder[1].RunAsync(AddressChanged, Token).AsTask());

        Assert.Contains(diagnosis.Evidence, l => l.StartsWith($"no udp socket of tailscaled (pid {Environment.ProcessId}", StringComparison.Ordinal));
        Assert.Equal("tailscaled's udp port is unknown (no socket of it on an advertised port; set port =)", ex.Message);
        Assert.True(fake.Pinned);
    }

    [Fact]
    public async Task Tailscaled_not_running_leaves_only_the_restart_rung()
    {
        using var restarter = new NoRestart();
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        await using var target = new TailscaleTarget(
            new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = "/nonexistent/rebound-test/tailscaled.sock" }), restarter,
            null, new NetworkHopper(fake), new KernelTcp(fake), timeProvider: _time);

        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

        Assert.Equal(HealCondition.Unhealthy, diagnosis.Condition);
        Assert.Equal(["tailscaled is not running (no socket at /nonexistent/rebound-test/tailscaled.sock)"], diagnosis.Evidence);
        Assert.Equal(["restart"], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind.ToName()));
    }

    [Theory]
    [InlineData("NeedsLogin")]
    [InlineData("Stopped")]
    public async Task Logged_out_or_stopped_tailscaled_is_left_to_a_person(string backendState)
    {
        var status = new TailscaleStatus { BackendState = backendState, Self = new TailscalePeerStatus { Online = false, Addrs = [] } };
        using var restarter = new NoRestart();
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        await using var target = Target(fake, restarter);

        var diagnosis = TailscaleTarget.Diagnose(status, AddressChanged);

        Assert.Equal($"BackendState is {backendState}, not Running", diagnosis.Evidence[0]);
        Assert.True(diagnosis.NeedsHealing);
        Assert.DoesNotContain(target.Ladder, a => a.AppliesTo(diagnosis));
    }

    [Fact]
    public void Ipv6_public_address_is_matched_in_bracketed_Addrs()
    {
        var status = new TailscaleStatus
        {
            BackendState = "Running",
            Self = new TailscalePeerStatus { Online = true, Addrs = ["[2001:db8::20]:41641", "203.0.113.20:41641"] },
        };

        var diagnosis = TailscaleTarget.Diagnose(status, AddressChanged with { PublicIpv6 = IPAddress.Parse("2001:db8::20") });

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
    }

    [Fact]
    public async Task Restart_command_runs_argv_and_reports_failure_in_one_line()
    {
        var ok = new CommandUnitRestarter(["/bin/true"], TimeSpan.FromSeconds(10), TimeProvider.System);
        var failing = new CommandUnitRestarter(["/bin/sh", "-c", "echo 'unit tailscale not found' >&2; exit 3"], TimeSpan.FromSeconds(10), TimeProvider.System);
        var missing = new CommandUnitRestarter(["/nonexistent/rc-service"], TimeSpan.FromSeconds(10), TimeProvider.System);

        Assert.Equal("tailscaled.service restarted by /bin/true", await ok.RestartAsync("tailscaled.service", Token));
        var failed = await Assert.ThrowsAsync<UnitRestartException>(() => failing.RestartAsync("tailscaled.service", Token).AsTask());
        Assert.Equal("restart command /bin/sh exited with 3: unit tailscale not found", failed.Message);
        var notFound = await Assert.ThrowsAsync<UnitRestartException>(() => missing.RestartAsync("tailscaled.service", Token).AsTask());
        Assert.StartsWith("cannot run /nonexistent/rc-service: ", notFound.Message, StringComparison.Ordinal);
    }

    /// <summary>A restarter that must not be used.</summary>
    private sealed class NoRestart : IUnitRestarter, IDisposable
    {
        public int Calls { get; private set; }

        public ValueTask<string> RestartAsync(string unit, CancellationToken cancellationToken)
        {
            Calls++;
            throw new UnitRestartException("restart was not expected");
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Restarts the fake (same port again).</summary>
    private sealed class FakeRestart(FakeTailscaled fake) : IUnitRestarter
    {
        public int Calls { get; private set; }

        public ValueTask<string> RestartAsync(string unit, CancellationToken cancellationToken)
        {
            Calls++;
            fake.Restart();
            return ValueTask.FromResult($"{unit} restarted");
        }
    }

    /// <summary>hop-port as the network sees it: the fake's flows leave from another source port, so they are no longer pinned.</summary>
    private sealed class NetworkHopper(FakeTailscaled fake) : IPortHopper
    {
        public ValueTask<HopResult> HopAsync(HopRequest request, CancellationToken cancellationToken)
        {
            fake.SourcePortChanged();
            return ValueTask.FromResult(new HopResult(true, null, 2, 1, 0, $"udp sport {string.Join(",", request.Ports)} masqueraded"));
        }

        public ValueTask<int> SweepAsync(IReadOnlyCollection<int> ports, AddressFamily family, CancellationToken cancellationToken) => ValueTask.FromResult(0);

        public ValueTask<string> ReleaseAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken) => ValueTask.FromResult("released");

        public ValueTask<string?> CleanupAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

        public ValueTask<HopTableState> InspectAsync(CancellationToken cancellationToken) => ValueTask.FromResult(HopTableState.Absent);

        public ValueTask<int> CountHealedAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken) => ValueTask.FromResult(0);
    }

    /// <summary>sock_diag as the kernel answers for the fake: its control connection silent since the change while dead; destroying it makes it reconnect.</summary>
    private sealed class KernelTcp(FakeTailscaled fake) : ITcpResetter
    {
        private static readonly DestroyedConnection Control = new(IPEndPoint.Parse("10.77.0.2:50000"), IPEndPoint.Parse("203.0.113.42:443"), null, TimeSpan.FromSeconds(3));

        public ValueTask<TcpResetResult> ResetAsync(TcpResetRequest request, CancellationToken cancellationToken)
        {
            var dead = fake.ControlDead;
            if (dead && !request.DryRun)
                fake.TcpReset();
            return ValueTask.FromResult(new TcpResetResult(dead ? [Control] : [], 1, dead ? 0 : 1, 0));
        }
    }
}
