using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.Systemd;
using Rebound.Act.Tailscale;
using Rebound.Record;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Act.Tailscale;

/// <summary>
/// TailscaleTarget against FakeTailscaled (a LocalAPI server on a real unix socket) and, for the restart
/// rung, FakeSystemdManager on a private dbus-daemon. A tiny ladder driver stands in for the heal engine.
/// </summary>
public sealed class TailscaleTargetTests
{
    private static readonly HealTrigger AddressChanged = new(
        DateTimeOffset.UnixEpoch, HealReason.PublicAddressChanged, null, IPAddress.Parse(FakeTailscaled.NewPublic), null, UpstreamUp: true, null, null);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static TailscaleTarget Target(FakeTailscaled fake, IUnitRestarter restarter, params IPAddress[] pingPeers) => new(
        new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = fake.SocketPath }),
        restarter,
        new TailscaleTargetOptions { PingPeers = pingPeers });

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
    public void Ladder_is_rebind_restun_break_derp_conns_then_restart()
    {
        using var target = new NoRestart();
        var tailscale = new TailscaleTarget(new TailscaleLocalClient(), target);

        Assert.Equal("tailscale", tailscale.Name);
        Assert.Equal(["rebind", "restun", "break-derp-conns", "restart"], tailscale.Ladder.Select(a => a.Kind.ToName()));
        Assert.Equal([false, false, false, true], tailscale.Ladder.Select(a => a.IsRestart));
        Assert.Equal(TimeSpan.FromSeconds(20), tailscale.VerifyDeadline);
    }

    [Fact]
    public async Task FakeTailscaled_healthy_needs_nothing()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);

        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Equal("online, Self.Addrs 203.0.113.20:41641 192.168.1.10:41641", diagnosis.Evidence[0]);
        Assert.Empty(fake.Actions);
    }

    [Fact]
    public async Task FakeTailscaled_stuck_is_diagnosed_with_one_evidence_line_per_finding()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Stuck);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);

        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

        Assert.Equal(HealCondition.AddressChanged, diagnosis.Condition);
        Assert.Equal(
            [
                "Self.Online is false (no control connection)",
                "Self.Addrs lacks the public address 203.0.113.20 (198.51.100.20:41641 192.168.1.10:41641)",
                "health: Unable to connect to the Tailscale coordination server to synchronize the state of your tailnet.",
                "1 online peers relayed via DERP (laptop via fra)",
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

    [Theory]
    [InlineData(FakeTailscaledBehaviour.RecoversOnRebind, new[] { "rebind" })]
    [InlineData(FakeTailscaledBehaviour.RecoversOnRestun, new[] { "rebind", "restun" })]
    [InlineData(FakeTailscaledBehaviour.RecoversOnBreakDerpConns, new[] { "rebind", "restun", "break-derp-conns" })]
    public async Task FakeTailscaled_ladder_climbs_only_as_far_as_needed_and_never_restarts(FakeTailscaledBehaviour behaviour, string[] expected)
    {
        await using var fake = new FakeTailscaled(behaviour);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter, IPAddress.Parse(FakeTailscaled.Peer));

        var (rungs, verified) = await ClimbAsync(target, AddressChanged);

        Assert.Equal(expected, rungs);
        Assert.Equal(expected, fake.Actions);
        Assert.Equal(0, restarter.Calls);
        Assert.StartsWith("online, Self.Addrs has 203.0.113.20; pong 100.64.0.2 12.3 ms direct 203.0.113.20:41641", verified!.Value.Evidence, StringComparison.Ordinal);
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
        await using var target = Target(fake, restarter, IPAddress.Parse(FakeTailscaled.Peer));

        var (rungs, verified) = await ClimbAsync(target, AddressChanged);

        Assert.Equal(["rebind", "restun", "break-derp-conns", "restart"], rungs);
        Assert.Equal(["rebind", "restun", "break-derp-conns", "restart"], fake.Actions);
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

        var ex = await Assert.ThrowsAsync<HealActionException>(() => target.Ladder[3].RunAsync(AddressChanged, Token).AsTask());

        Assert.Equal("restarting tailscaled.service ended with job result \"failed\" (see journalctl -u tailscaled.service)", ex.Message);
        Assert.False(fake.Healed);
    }

    [Fact]
    public async Task FakeTailscaled_verification_waits_for_the_disco_ping_to_a_configured_peer()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.Healthy);
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter, IPAddress.Parse("100.64.0.99"));

        var check = await target.VerifyAsync(AddressChanged, Token);

        Assert.False(check.Ok);
        Assert.Equal("online; disco ping 100.64.0.99: tailscaled answered POST /localapi/v0/ping with 500: no matching peer", check.Evidence);
    }

    [Fact]
    public async Task FakeTailscaled_without_write_permission_fails_the_debug_rung_with_the_permission_message()
    {
        await using var fake = new FakeTailscaled(FakeTailscaledBehaviour.RecoversOnRebind) { PermitWrite = false };
        using var restarter = new NoRestart();
        await using var target = Target(fake, restarter);

        var ex = await Assert.ThrowsAsync<HealActionException>(() => target.Ladder[0].RunAsync(AddressChanged, Token).AsTask());

        Assert.Contains("(403 debug access denied): run rebound as root", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tailscaled_not_running_leaves_only_the_restart_rung()
    {
        using var restarter = new NoRestart();
        await using var target = new TailscaleTarget(
            new TailscaleLocalClient(new TailscaleLocalClientOptions { SocketPath = "/nonexistent/rebound-test/tailscaled.sock" }), restarter);

        var diagnosis = await target.DiagnoseAsync(AddressChanged, Token);

        Assert.Equal(HealCondition.Unhealthy, diagnosis.Condition);
        Assert.Equal(["tailscaled is not running (no socket at /nonexistent/rebound-test/tailscaled.sock)"], diagnosis.Evidence);
        Assert.Equal(["restart"], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind.ToName()));
    }

    [Theory]
    [InlineData("NeedsLogin")]
    [InlineData("Stopped")]
    public void Logged_out_or_stopped_tailscaled_is_left_to_a_person(string backendState)
    {
        var status = new TailscaleStatus { BackendState = backendState, Self = new TailscalePeerStatus { Online = false, Addrs = [] } };
        using var restarter = new NoRestart();
        var target = new TailscaleTarget(new TailscaleLocalClient(), restarter);

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
}
