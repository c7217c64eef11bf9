using Rebound.Act.Heal;
using Rebound.Record;

namespace Rebound.Tests.Act.Heal;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HealEngineTests
{
    private static HealEngineOptions Options(int maxRestarts = 3, TimeSpan? check = null, TimeSpan? backoffMin = null, TimeSpan? backoffMax = null, string? statePath = null) => new()
    {
        MaxRestartsPerHour = maxRestarts,
        CheckInterval = check ?? TimeSpan.FromHours(6),
        RetryBackoffMin = backoffMin ?? TimeSpan.FromSeconds(5),
        RetryBackoffMax = backoffMax ?? TimeSpan.FromMinutes(5),
        StatePath = statePath,
    };

    [Fact]
    public async Task The_ladder_runs_applicable_rungs_in_order_escalates_when_unverified_and_stops_at_the_first_verified()
    {
        var keepalive = new FakeHealAction("keepalive");
        var rotate = new FakeHealAction("rotate-port") { Applies = d => d.Condition == HealCondition.AddressChanged };
        var rebind = new FakeHealAction("rebind");
        var restart = new FakeHealAction("restart", isRestart: true);
        var target = new FakeHealTarget("wireguard:wg0", keepalive, rotate, rebind, restart);
        rebind.Fixes = target;
        await using var h = new HealHarness(Options(), target).Started();

        h.Fire(detectedAgo: TimeSpan.FromSeconds(2));
        await h.AdvanceAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(["keepalive:done", "keepalive:unverified", "rebind:done", "rebind:verified"], h.Steps());
        Assert.Equal((1, 0, 1, 0), (keepalive.Runs, rotate.Runs, rebind.Runs, restart.Runs));
        var started = Assert.Single(h.Events<HealStarted>());
        Assert.Equal(("wireguard:wg0", "public-address-changed", HealCondition.FlowPinned), (started.Target, started.Reason.ToName(), started.Diagnosis.Condition));
        Assert.Contains("last handshake 200 s ago", started.Diagnosis.Evidence);
        var verified = Assert.Single(h.Events<HealVerified>());
        Assert.Equal("rebind", verified.Action.ToName());
        // 2 s before the trigger reached the engine + 10 s verify deadline of the keepalive rung.
        Assert.Equal(12_000, verified.ElapsedMs);
        Assert.Equal("handshake 1 s ago", verified.Evidence);
        var unverified = h.Events<HealStep>().Single(s => s.Result.ToName() == "unverified");
        Assert.Equal(10_000, unverified.DurationMs);
        Assert.Contains("no handshake", unverified.Detail, StringComparison.Ordinal);
        Assert.Empty(h.Events<HealFailed>());
        // The keepalive rung was checked every second from 0 s to 10 s, the rebind once.
        Assert.Equal(12, target.Checks);
    }

    [Fact]
    public async Task A_check_that_hands_on_to_the_next_rung_escalates_without_waiting_out_the_deadline()
    {
        var reset = new FakeHealAction("reset-tcp");
        var hop = new FakeHealAction("hop-port");
        var target = new FakeHealTarget("tailscale", reset, hop) { NextRung = true };
        hop.Fixes = target;
        await using var h = new HealHarness(Options(), target).Started();

        h.Fire();
        await h.IdleAsync();

        Assert.Equal(["reset-tcp:done", "reset-tcp:unverified", "hop-port:done", "hop-port:verified"], h.Steps());
        var unverified = h.Events<HealStep>()[1];
        Assert.Equal(0, unverified.DurationMs);
        Assert.Equal("escalating at once, the rest is for the next rung: no handshake", unverified.Detail);
        Assert.Equal(2, target.Checks);
    }

    [Fact]
    public async Task A_failing_action_is_reported_and_the_next_rung_runs_without_waiting_for_verification()
    {
        var reresolve = new FakeHealAction("reresolve") { FailWith = "peer name does not resolve" };
        var rebind = new FakeHealAction("rebind");
        var target = new FakeHealTarget("wireguard:wg0", reresolve, rebind);
        rebind.Fixes = target;
        await using var h = new HealHarness(Options(), target).Started();

        h.Fire();
        await h.IdleAsync();

        Assert.Equal(["reresolve:failed", "rebind:done", "rebind:verified"], h.Steps());
        Assert.Equal("peer name does not resolve", h.Events<HealStep>()[0].Detail);
        Assert.Equal(0, Assert.Single(h.Events<HealVerified>()).ElapsedMs);
    }

    [Fact]
    public async Task A_rung_that_does_not_apply_at_run_time_is_not_applicable_and_the_ladder_goes_on()
    {
        var hop = new FakeHealAction("hop-port") { NotApplicableWith = "nftables not usable: cannot run nft: No such file or directory" };
        var restart = new FakeHealAction("restart", isRestart: true);
        var target = new FakeHealTarget("flow:game", hop, restart);
        restart.Fixes = target;
        await using var h = new HealHarness(Options(), target).Started();

        h.Fire();
        await h.IdleAsync();

        Assert.Equal(["hop-port:not-applicable", "restart:done", "restart:verified"], h.Steps());
        Assert.Equal("nftables not usable: cannot run nft: No such file or directory", h.Events<HealStep>()[0].Detail);
        Assert.Equal(0, target.Checks - 1); // verified once, after the restart only
    }

    [Fact]
    public async Task A_healthy_target_gets_no_heal_and_periodic_checks_stay_quiet()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("tailscale", keepalive) { Condition = HealCondition.Healthy };
        await using var h = new HealHarness(Options(check: TimeSpan.FromSeconds(30)), target).Started();

        h.Fire("local-network-changed");
        await h.AdvanceAsync(TimeSpan.FromSeconds(95));

        var skipped = Assert.Single(h.Events());
        Assert.Equal("local-network-changed", Assert.IsType<HealSkipped>(skipped).Reason.ToName());
        Assert.Equal(0, keepalive.Runs);
        // 1 event + 3 periodic checks (30, 60, 90 s), all diagnosed.
        Assert.Equal(["local-network-changed", "periodic", "periodic", "periodic"], target.Diagnosed.Select(t => t.Reason.ToName()));
    }

    [Fact]
    public async Task A_periodic_check_finds_a_flow_pinned_without_any_event()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("wireguard:wg0", keepalive) { Condition = HealCondition.Healthy };
        keepalive.Fixes = target;
        await using var h = new HealHarness(Options(check: TimeSpan.FromSeconds(30)), target).Started();
        h.Fire("startup");
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));

        target.Condition = HealCondition.FlowPinned;
        await h.AdvanceAsync(TimeSpan.FromSeconds(25));

        var started = Assert.Single(h.Events<HealStarted>());
        Assert.Equal("periodic", started.Reason.ToName());
        Assert.Equal(JsonNames.ToName(HealCondition.FlowPinned), started.Diagnosis.Condition.ToName());
        Assert.Single(h.Events<HealVerified>());
    }

    [Fact]
    public async Task Upstream_down_waits_without_retrying_until_the_next_event_or_check()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("wireguard:wg0", keepalive) { Condition = HealCondition.UpstreamDown };
        keepalive.Fixes = target;
        await using var h = new HealHarness(Options(check: TimeSpan.FromSeconds(30)), target).Started();

        h.Fire();
        await h.AdvanceAsync(TimeSpan.FromSeconds(29));
        var skipped = Assert.Single(h.Events<HealSkipped>());
        Assert.Equal(HealCondition.UpstreamDown, skipped.Diagnosis.Condition);
        Assert.Single(target.Diagnosed);
        Assert.Equal(0, keepalive.Runs);

        target.Condition = HealCondition.FlowPinned;
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(["public-address-changed", "periodic"], target.Diagnosed.Select(t => t.Reason.ToName()));
        Assert.Equal(1, keepalive.Runs);
        Assert.Single(h.Events<HealVerified>());
    }

    [Fact]
    public async Task An_exhausted_ladder_is_retried_with_a_fresh_diagnosis_after_a_doubling_capped_backoff()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("wireguard:wg0", keepalive) { VerifyDeadline = TimeSpan.Zero };
        await using var h = new HealHarness(Options(backoffMin: TimeSpan.FromSeconds(5), backoffMax: TimeSpan.FromSeconds(20)), target).Started();

        h.Fire();
        await h.AdvanceAsync(TimeSpan.FromSeconds(5 + 10 + 20 + 20 + 1));

        var failed = h.Events<HealFailed>();
        Assert.Equal([5, 10, 20, 20, 20], failed.Select(f => f.RetryIn!.Value.TotalSeconds));
        Assert.All(failed, f => Assert.False(f.RestartsExhausted));
        Assert.Equal("no rung verified", failed[0].Error);
        Assert.Equal(["public-address-changed", "retry", "retry", "retry", "retry"], target.Diagnosed.Select(t => t.Reason.ToName()));
        Assert.Equal([0, 5, 15, 35, 55], failed.Select(f => (f.Time - HealHarness.Start).TotalSeconds));

        // Healing ends the episode: the backoff starts from the minimum again.
        keepalive.Fixes = target;
        await h.AdvanceAsync(TimeSpan.FromSeconds(20));
        Assert.Single(h.Events<HealVerified>());
        target.Works = false;
        keepalive.Fixes = null;
        h.Fire();
        await h.IdleAsync();
        Assert.Equal(5, h.Events<HealFailed>()[^1].RetryIn!.Value.TotalSeconds);
    }

    [Fact]
    public async Task A_new_event_during_backoff_is_diagnosed_at_once_but_periodic_checks_do_not_cut_the_backoff_short()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("wireguard:wg0", keepalive) { VerifyDeadline = TimeSpan.Zero };
        await using var h = new HealHarness(Options(check: TimeSpan.FromSeconds(3), backoffMin: TimeSpan.FromSeconds(10)), target).Started();

        h.Fire();
        await h.AdvanceAsync(TimeSpan.FromSeconds(7));
        Assert.Single(target.Diagnosed);

        h.Fire("local-network-changed");
        await h.IdleAsync();
        Assert.Equal(["public-address-changed", "local-network-changed"], target.Diagnosed.Select(t => t.Reason.ToName()));
    }

    [Fact]
    public async Task Restarts_are_limited_per_hour_said_loudly_once_and_the_hour_slides()
    {
        var dir = Directory.CreateTempSubdirectory("rebound-heal-");
        try
        {
            var path = Path.Combine(dir.FullName, "heal-state.json");
            var keepalive = new FakeHealAction("keepalive");
            var restart = new FakeHealAction("restart", isRestart: true);
            var target = new FakeHealTarget("tailscale", keepalive, restart) { VerifyDeadline = TimeSpan.Zero };
            var options = Options(maxRestarts: 2, backoffMin: TimeSpan.FromMinutes(10), backoffMax: TimeSpan.FromMinutes(10), statePath: path);
            await using (var h = new HealHarness(options, target).Started())
            {
                h.Fire();                                           // 0 min: restart 1
                await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)); // 10: restart 2
                await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)); // 20: skipped, loud
                await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)); // 30: skipped, quiet
                Assert.Equal(2, restart.Runs);
                Assert.Equal(4, keepalive.Runs);
                Assert.Equal(
                    ["keepalive:done", "keepalive:unverified", "restart:done", "restart:unverified",
                     "keepalive:done", "keepalive:unverified", "restart:done", "restart:unverified",
                     "keepalive:done", "keepalive:unverified", "restart:skipped",
                     "keepalive:done", "keepalive:unverified", "restart:skipped"],
                    h.Steps());
                var failed = h.Events<HealFailed>();
                Assert.Equal([false, false, true, false], failed.Select(f => f.RestartsExhausted));
                Assert.Contains("restart budget", failed[2].Error, StringComparison.Ordinal);
                Assert.All(failed, f => Assert.Equal(TimeSpan.FromMinutes(10), f.RetryIn));
                var skipped = h.Events<HealStep>().First(s => s.Result.ToName() == "skipped");
                Assert.Equal("restart budget spent: 2 restart(s) per hour, next allowed in 2400 s", skipped.Detail);

                // 60 min: the first restart left the window, one is allowed again (the one at 10 min still counts).
                await h.AdvanceAsync(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1));
                Assert.Equal(3, restart.Runs);
                await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)); // 70: restart 4 (10-min one left)
                Assert.Equal(4, restart.Runs);
                await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)); // 80: both slots used again
                Assert.Equal(4, restart.Runs);
                Assert.True(h.Events<HealFailed>()[^1].RestartsExhausted);
            }

            // A daemon restarted at 80 min reads the history: no restart before 120 min.
            var json = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
            Assert.Contains("\"tailscale\"", json, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var restart2 = new FakeHealAction("restart", isRestart: true);
            var target2 = new FakeHealTarget("tailscale", restart2) { VerifyDeadline = TimeSpan.Zero };
            await using var again = new HealHarness(options, target2).Started();
            again.Time.Advance(TimeSpan.FromMinutes(80));
            again.Fire();
            await again.IdleAsync();
            Assert.Equal(0, restart2.Runs);
            Assert.Equal(["restart:skipped"], again.Steps());
            Assert.True(Assert.Single(again.Events<HealFailed>()).RestartsExhausted);
            Assert.Empty(again.Events<HealWarning>());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_corrupt_state_file_is_a_warning_and_an_empty_history()
    {
        var dir = Directory.CreateTempSubdirectory("rebound-heal-");
        try
        {
            var path = Path.Combine(dir.FullName, "heal-state.json");
            await File.WriteAllTextAsync(path, "{ not json", TestContext.Current.CancellationToken);
            var restart = new FakeHealAction("restart", isRestart: true);
            var target = new FakeHealTarget("tailscale", restart);
            restart.Fixes = target;
            await using var h = new HealHarness(Options(statePath: path), target).Started();
            h.Fire();
            await h.IdleAsync();

            Assert.Contains("unreadable", Assert.Single(h.Events<HealWarning>()).Message, StringComparison.Ordinal);
            Assert.Equal(1, restart.Runs);
            Assert.Contains("\"version\": 1", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Triggers_during_a_heal_are_coalesced_latest_wins_and_diagnosed_after_it()
    {
        var keepalive = new FakeHealAction("keepalive") { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var target = new FakeHealTarget("wireguard:wg0", keepalive);
        keepalive.Fixes = target;
        await using var h = new HealHarness(Options(), target).Started();

        h.Fire("public-address-changed");
        await HealHarness.UntilAsync(() => keepalive.Runs == 1);
        h.Fire("upstream-restored");
        h.Fire("local-network-changed");
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.Single(target.Diagnosed);

        keepalive.Gate.SetResult();
        await h.IdleAsync();

        Assert.Equal(["public-address-changed", "local-network-changed"], target.Diagnosed.Select(t => t.Reason.ToName()));
        Assert.Equal(1, keepalive.MaxConcurrent);
        // The second diagnosis found it working again (the keepalive fixed it): nothing more ran.
        Assert.Equal(1, keepalive.Runs);
    }

    [Fact]
    public async Task One_target_never_heals_twice_at_once_while_different_targets_heal_concurrently()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = new FakeHealAction("keepalive") { Gate = gate };
        var b = new FakeHealAction("flush-conntrack") { Gate = gate };
        var wg = new FakeHealTarget("wireguard:wg0", a);
        var router = new FakeHealTarget("router:conntrack", b);
        await using var h = new HealHarness(Options(), wg, router).Started();

        h.Fire();
        // Both actions are in flight at the same time: neither target waits for the other.
        await HealHarness.UntilAsync(() => a.Runs == 1 && b.Runs == 1);
        for (int i = 0; i < 5; i++)
            h.Fire("local-network-changed");
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.Equal((1, 1), (wg.Diagnosed.Count, router.Diagnosed.Count));

        a.Fixes = wg;
        b.Fixes = router;
        gate.SetResult();
        await h.IdleAsync();
        Assert.Equal((1, 1), (a.MaxConcurrent, b.MaxConcurrent));
        Assert.Equal((2, 2), (wg.Diagnosed.Count, router.Diagnosed.Count));
        Assert.Equal(2, h.Events<HealVerified>().Count);
    }

    [Fact]
    public async Task Targets_only_see_the_triggers_they_want()
    {
        var flush = new FakeHealAction("flush-conntrack");
        var router = new FakeHealTarget("router:conntrack", flush) { WantsTrigger = t => t.Reason == HealReason.LocalNetworkChanged };
        flush.Fixes = router;
        await using var h = new HealHarness(Options(), router).Started();

        h.Fire("public-address-changed");
        await h.IdleAsync();
        Assert.Empty(router.Diagnosed);
        h.Fire("local-network-changed");
        await h.IdleAsync();
        Assert.Equal(1, flush.Runs);
    }

    [Fact]
    public async Task Shutdown_lets_the_running_action_finish_then_reports_the_heal_interrupted_and_starts_no_new_rung()
    {
        var keepalive = new FakeHealAction("keepalive") { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously), IgnoreCancellation = true };
        var restart = new FakeHealAction("restart", isRestart: true);
        var target = new FakeHealTarget("wireguard:wg0", keepalive, restart);
        await using var h = new HealHarness(Options(), target).Started();
        h.Fire();
        await HealHarness.UntilAsync(() => keepalive.Runs == 1);

        var stopping = h.StopAsync();
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.False(h.Run.IsCompleted);
        keepalive.Gate.SetResult();
        await stopping;

        Assert.Equal(["keepalive:done", "keepalive:interrupted"], h.Steps());
        Assert.Equal(0, restart.Runs);
        Assert.True(h.Engine.Events.Completion.IsCompleted);
    }

    [Fact]
    public async Task Shutdown_abandons_an_action_that_outlasts_the_grace()
    {
        var keepalive = new FakeHealAction("keepalive") { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously), IgnoreCancellation = true };
        var target = new FakeHealTarget("wireguard:wg0", keepalive);
        var options = new HealEngineOptions { CheckInterval = TimeSpan.FromHours(1), ShutdownGrace = TimeSpan.FromSeconds(5) };
        await using var h = new HealHarness(options, target).Started();
        h.Fire();
        await HealHarness.UntilAsync(() => keepalive.Runs == 1);

        var stopping = h.StopAsync();
        await Task.Delay(20, TestContext.Current.CancellationToken);
        h.Time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.False(stopping.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await stopping;

        var step = Assert.Single(h.Events<HealStep>());
        Assert.Equal(("interrupted", 5000L), (step.Result.ToName(), step.DurationMs));
        Assert.Contains("abandoned after 5s", step.Detail, StringComparison.Ordinal);
        keepalive.Gate.SetResult();
    }

    [Fact]
    public async Task Shutdown_while_verifying_reports_the_rung_interrupted()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("wireguard:wg0", keepalive);
        await using var h = new HealHarness(Options(), target).Started();
        h.Fire();
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));

        await h.StopAsync();

        Assert.Equal(["keepalive:done", "keepalive:interrupted"], h.Steps());
        Assert.Equal(3000, h.Events<HealStep>()[1].DurationMs);
        Assert.Empty(h.Events<HealFailed>());
    }

    [Fact]
    public async Task A_target_whose_diagnosis_throws_is_retried_and_the_exception_text_is_not_journaled()
    {
        var keepalive = new FakeHealAction("keepalive");
        var target = new FakeHealTarget("wireguard:wg0", keepalive) { DiagnoseThrows = new InvalidOperationException("secret=hunter2") };
        keepalive.Fixes = target;
        await using var h = new HealHarness(Options(), target).Started();

        h.Fire();
        await h.IdleAsync();
        var failed = Assert.Single(h.Events<HealFailed>());
        Assert.Equal("diagnosis failed: InvalidOperationException (not a HealActionException)", failed.Error);
        Assert.Equal(TimeSpan.FromSeconds(5), failed.RetryIn);

        target.DiagnoseThrows = null;
        await h.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("retry", Assert.Single(h.Events<HealStarted>()).Reason.ToName());
        Assert.Single(h.Events<HealVerified>());
    }

    [Fact]
    public async Task With_no_restarts_allowed_the_restart_rung_is_always_skipped()
    {
        var restart = new FakeHealAction("restart", isRestart: true);
        var target = new FakeHealTarget("tailscale", restart);
        await using var h = new HealHarness(Options(maxRestarts: 0), target).Started();

        h.Fire();
        await h.IdleAsync();

        Assert.Equal(0, restart.Runs);
        Assert.Equal(["restart:skipped"], h.Steps());
        Assert.Equal("restart budget spent: 0 restart(s) per hour", h.Events<HealStep>()[0].Detail);
        Assert.True(Assert.Single(h.Events<HealFailed>()).RestartsExhausted);
    }
}
