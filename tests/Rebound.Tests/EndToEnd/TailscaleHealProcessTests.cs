using System.Text.Json;
using Rebound.Tests.Fakes;
using static Rebound.Tests.EndToEnd.AgentProcess;

namespace Rebound.Tests.EndToEnd;

/// <summary>
/// Healing through <c>rebound run</c> as a real process: real STUN over loopback decides the public address moved,
/// the heal engine talks HTTP to a fake tailscaled's LocalAPI socket and runs a real restart command, and the
/// journal and restart budget live in a real state directory. tailscaled itself is faked (it cannot run here).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TailscaleHealProcessTests
{
    private const string Tailscale = "tailscale";

    [Fact]
    public async Task Rebound_run_restarts_a_pinned_fake_tailscaled_once_and_not_again_for_the_same_address()
    {
        // Here (the root namespace) there is no socket of the fake on 41641, so hop-port cannot apply: the lab tests
        // show it healing. What is left cannot bring a pinned direct path back, and the loop guard knows it.
        await using var scene = new HealScene(FakeTailscaledBehaviour.Pinned);
        var config = scene.WriteConfig(verifyDeadline: "2s", retryBackoffMin: "1s", retryBackoffMax: "2s");
        await using var agent = Start(config);

        var (at, started) = await agent.WaitForAsync("started", 0);
        Assert.Contains(HealScene.AddressA, started.GetRawText(), StringComparison.Ordinal);
        (at, var skipped) = await agent.WaitForAsync("heal-skipped", at, ("target", Tailscale), ("reason", "startup"));
        Assert.Equal("healthy", Text(skipped, "diagnosis"));

        // The router fails over behind static SNAT: the direct path and STUN from 41641 are pinned, control is dead but Online.
        scene.Tailscaled.PublicAddressChanged(HealScene.AddressB);
        scene.MapTo(HealScene.AddressB);

        (at, var heal) = await agent.WaitForAsync("heal-started", at, ("target", Tailscale), ("reason", "public-address-changed"));
        Assert.Equal("flow-pinned", Text(heal, "diagnosis"));
        Assert.Contains("direct path lost to 1 of 1 peer(s) (laptop): relayed via DERP", Text(heal, "evidence"), StringComparison.Ordinal);
        Assert.Contains($"STUN works (public address {HealScene.AddressB})", Text(heal, "evidence"), StringComparison.Ordinal);
        (at, _) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "reset-tcp"), ("result", "done"));
        (at, var escalated) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "reset-tcp"), ("result", "unverified"));
        Assert.StartsWith("escalating at once", Text(escalated, "detail"), StringComparison.Ordinal);
        (at, var hop) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "hop-port"), ("result", "not-applicable"));
        Assert.Contains("udp port is unknown", Text(hop, "detail"), StringComparison.Ordinal);
        (at, _) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"), ("result", "done"));
        (at, var unverified) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"), ("result", "unverified"));
        Assert.Contains("direct path lost", Text(unverified, "detail"), StringComparison.Ordinal);
        (at, _) = await agent.WaitForAsync("heal-failed", at, ("target", Tailscale));

        // The retry: same address, same port: no second restart.
        (at, var retry) = await agent.WaitForAsync("heal-started", at, ("target", Tailscale), ("reason", "retry"));
        Assert.Contains("restart not repeated", Text(retry, "evidence"), StringComparison.Ordinal);
        (at, var failed) = await agent.WaitForAsync("heal-failed", at, ("target", Tailscale));
        Assert.Equal("false", Text(failed, "restartsExhausted"));

        agent.Signal("TERM");
        await agent.WaitForExitAsync();
        Assert.Equal(0, agent.ExitCode);
        Assert.Equal(1, scene.RestartsAttempted);
        Assert.Single(agent.Events, e => Is(e, "heal-step", ("action", "restart"), ("result", "done")));
        Assert.True(scene.Tailscaled.Pinned);
        Assert.False(scene.Tailscaled.ControlDead); // the restart did reconnect control
        Assert.DoesNotContain("   at ", agent.Stderr, StringComparison.Ordinal);
        var journal = scene.Journal();
        Assert.Contains(journal, j => j.Kind == "heal-step" && j.Json == hop.GetRawText());
    }

    [Fact]
    public async Task Rebound_run_climbs_the_whole_ladder_and_restarts_a_stuck_fake_tailscaled_once()
    {
        await using var scene = new HealScene(FakeTailscaledBehaviour.Stuck);
        var config = scene.WriteConfig(verifyDeadline: "2s");
        await using var agent = Start(config);

        var (at, _) = await agent.WaitForAsync("heal-skipped", 0, ("target", Tailscale), ("reason", "startup"));
        scene.Tailscaled.PublicAddressChanged(HealScene.AddressB);
        scene.MapTo(HealScene.AddressB);

        (at, var heal) = await agent.WaitForAsync("heal-started", at, ("target", Tailscale), ("reason", "public-address-changed"));
        Assert.Contains("Self.Online is false (no control connection)", Text(heal, "evidence"), StringComparison.Ordinal);
        (at, _) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "reset-tcp"), ("result", "done"));
        (at, var unverified) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "reset-tcp"), ("result", "unverified"));
        Assert.Contains("not working after 2s", Text(unverified, "detail"), StringComparison.Ordinal);
        (at, _) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "hop-port"), ("result", "not-applicable"));

        (at, var restart) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"), ("result", "done"));
        Assert.Contains("restarted by", Text(restart, "detail"), StringComparison.Ordinal);
        (at, _) = await agent.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"), ("result", "verified"));
        (_, var verified) = await agent.WaitForAsync("heal-verified", at, ("target", Tailscale), ("action", "restart"));
        Assert.True(verified.GetProperty("elapsedMs").GetInt64() >= 2_000, verified.GetRawText());
        TestContext.Current.TestOutputHelper?.WriteLine($"public-address-changed -> heal-verified (restart): {verified.GetProperty("elapsedMs").GetInt64()} ms");

        agent.Signal("TERM");
        await agent.WaitForExitAsync();
        Assert.Equal(0, agent.ExitCode);
        Assert.Equal(1, scene.RestartsAttempted);
        Assert.Equal(["restart"], scene.Tailscaled.Actions);
        Assert.Single(agent.Events, e => Is(e, "heal-step", ("action", "restart"), ("result", "done")));
        Assert.DoesNotContain(agent.Events, e => Is(e, "heal-failed"));
    }

    [Fact]
    public async Task Restart_budget_of_a_never_recovering_fake_tailscaled_is_spent_once_and_survives_kill_9()
    {
        await using var scene = new HealScene(FakeTailscaledBehaviour.NeverRecovers, brokenAtStart: true);
        var config = scene.WriteConfig(verifyDeadline: "1s", maxRestartsPerHour: 1, retryBackoffMin: "1s", retryBackoffMax: "2s");

        List<string> journalBeforeKill;
        int printedInFirstRun;
        await using (var first = Start(config))
        {
            var (at, heal) = await first.WaitForAsync("heal-started", 0, ("target", Tailscale), ("reason", "startup"));
            Assert.Equal("unhealthy", Text(heal, "diagnosis"));
            (at, _) = await first.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"), ("result", "done"));
            (at, _) = await first.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"), ("result", "unverified"));
            (at, var failed) = await first.WaitForAsync("heal-failed", at, ("target", Tailscale));
            Assert.Equal("false", Text(failed, "restartsExhausted"));

            // The retry climbs again, finds the budget spent, and says so loudly.
            (at, _) = await first.WaitForAsync("heal-started", at, ("target", Tailscale), ("reason", "retry"));
            (at, var skippedRestart) = await first.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"));
            Assert.Equal("skipped", Text(skippedRestart, "result"));
            Assert.Contains("restart budget spent: 1 restart(s) per hour", Text(skippedRestart, "detail"), StringComparison.Ordinal);
            (at, var exhausted) = await first.WaitForAsync("heal-failed", at, ("target", Tailscale));
            Assert.Equal("true", Text(exhausted, "restartsExhausted"));

            // Crash in the middle of the next retry.
            (at, _) = await first.WaitForAsync("heal-started", at, ("target", Tailscale), ("reason", "retry"));
            (at, var midHeal) = await first.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "reset-tcp"), ("result", "not-applicable"));
            await scene.WaitForJournalAsync("the step printed just before the kill", j => j.Json == midHeal.GetRawText());
            await first.KillHardAsync();

            Assert.Equal(1, scene.RestartsAttempted);
            Assert.Single(first.Events, e => Is(e, "heal-step", ("action", "restart"), ("result", "done")));

            // Everything the journal holds was printed, in the same order (per emitter: the heal events come from one
            // thread), up to at least the step printed before the kill.
            var printed = first.Events.Select(e => e.GetRawText()).ToList();
            var journaled = scene.Journal();
            journalBeforeKill = [.. journaled.Select(j => j.Json)];
            Assert.All(journalBeforeKill, j => Assert.Contains(j, printed));
            var printedHeal = first.Events.Where(e => Text(e, "target") == Tailscale).Select(e => e.GetRawText()).ToList();
            var journaledHeal = journaled.Where(j => j.Target == Tailscale).Select(j => j.Json).ToList();
            Assert.Equal(printedHeal.Take(journaledHeal.Count), journaledHeal);
            Assert.True(journaledHeal.Count > printedHeal.IndexOf(midHeal.GetRawText()), "the journal lost events from before the kill");
            printedInFirstRun = printed.Count;
        }

        AssertHealStateHolds(scene, restarts: 1);

        await using (var second = Start(config))
        {
            // A new agent diagnoses before it acts, and does not restart again: the budget came from disk.
            var (at, heal) = await second.WaitForAsync("heal-started", 0, ("target", Tailscale));
            Assert.Equal("startup", Text(heal, "reason"));
            Assert.Equal("unhealthy", Text(heal, "diagnosis"));
            Assert.NotEqual("[]", Text(heal, "evidence"));
            Assert.DoesNotContain(second.Events.Take(at), e => Text(e, "target") == Tailscale && !Is(e, "heal-warning"));
            (at, var restart) = await second.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"));
            Assert.Equal("skipped", Text(restart, "result"));
            (_, var exhausted) = await second.WaitForAsync("heal-failed", at, ("target", Tailscale));
            Assert.Equal("true", Text(exhausted, "restartsExhausted"));

            second.Signal("TERM");
            await second.WaitForExitAsync();
            Assert.Equal(0, second.ExitCode);
            Assert.Equal(1, scene.RestartsAttempted);
            Assert.DoesNotContain("   at ", second.Stderr, StringComparison.Ordinal);
        }

        // The crashed run's record is intact under the new one, and `rebound events` reads it.
        var after = scene.Journal().Select(j => j.Json).ToList();
        Assert.Equal(journalBeforeKill, after.Take(journalBeforeKill.Count));
        Assert.True(after.Count > journalBeforeKill.Count);
        var (exit, stdout, stderr) = await RunToEndAsync("events", "--state-directory", scene.StateDirectory, "--kind", "heal-failed", "--json");
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 3, stdout);
        Assert.All(lines, l => Assert.Equal("heal-failed", JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()));
        Assert.True(printedInFirstRun > 0);
    }

    [Fact]
    public async Task Kill_9_while_the_restart_command_runs_still_counts_the_restart_of_a_fake_tailscaled()
    {
        await using var scene = new HealScene(FakeTailscaledBehaviour.Stuck, brokenAtStart: true);
        var config = scene.WriteConfig(verifyDeadline: "1s", maxRestartsPerHour: 1, restartSleeps: "60");

        await using (var first = Start(config))
        {
            await first.WaitForAsync("heal-step", 0, ("target", Tailscale), ("action", "reset-tcp"), ("result", "not-applicable"));
            await scene.WaitForRestartRunningAsync(first);
            await first.KillHardAsync();
        }

        // The restart was written down before it ran, so the crash cannot hide it.
        AssertHealStateHolds(scene, restarts: 1);
        Assert.Equal(1, scene.RestartsAttempted);

        await using (var second = Start(config))
        {
            var (at, heal) = await second.WaitForAsync("heal-started", 0, ("target", Tailscale));
            Assert.Equal("startup", Text(heal, "reason"));
            Assert.Equal("unhealthy", Text(heal, "diagnosis"));
            (at, var restart) = await second.WaitForAsync("heal-step", at, ("target", Tailscale), ("action", "restart"));
            Assert.Equal("skipped", Text(restart, "result"));
            (_, var failed) = await second.WaitForAsync("heal-failed", at, ("target", Tailscale));
            Assert.Equal("true", Text(failed, "restartsExhausted"));

            second.Signal("TERM");
            await second.WaitForExitAsync();
            Assert.Equal(0, second.ExitCode);
        }

        Assert.Equal(1, scene.RestartsAttempted);
        AssertHealStateHolds(scene, restarts: 1);
    }

    [Fact]
    public async Task Sigterm_while_restarting_a_fake_tailscaled_journals_the_restart_as_interrupted_and_exits_0()
    {
        await using var scene = new HealScene(FakeTailscaledBehaviour.Stuck, brokenAtStart: true);
        var config = scene.WriteConfig(verifyDeadline: "1s", restartSleeps: "30");
        await using var agent = Start(config);

        await agent.WaitForAsync("heal-step", 0, ("target", Tailscale), ("action", "reset-tcp"), ("result", "not-applicable"));
        var script = await scene.WaitForRestartRunningAsync(agent);
        agent.Signal("TERM");
        await agent.WaitForExitAsync();
        Assert.Equal(0, agent.ExitCode);

        // The command was given the shutdown grace (5 s), then abandoned and reported.
        var interrupted = Assert.Single(agent.Events, e => Is(e, "heal-step", ("target", Tailscale), ("action", "restart")));
        Assert.Equal("interrupted", Text(interrupted, "result"));
        Assert.Contains("agent stopping", Text(interrupted, "detail"), StringComparison.Ordinal);
        Assert.Contains(scene.Journal(), j => j.Kind == "heal-step" && j.Json == interrupted.GetRawText());
        Assert.DoesNotContain("   at ", agent.Stderr, StringComparison.Ordinal);

        // Abandoned means ended: the command does not outlive the agent.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (IsRunning(script) && DateTime.UtcNow < deadline)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(IsRunning(script), "the restart command outlived the agent");
    }

    private static void AssertHealStateHolds(HealScene scene, int restarts)
    {
        var path = Path.Combine(scene.StateDirectory, "heal-state.json");
        using var state = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.Equal(1, state.RootElement.GetProperty("version").GetInt32());
        var times = state.RootElement.GetProperty("restarts").GetProperty(Tailscale);
        Assert.Equal(restarts, times.GetArrayLength());
        Assert.All(times.EnumerateArray(), t => Assert.True(DateTimeOffset.TryParse(t.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _)));
    }

    /// <summary>Alive (not a zombie waiting to be reaped).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && File.ReadAllText($"/proc/{pid}/cmdline").Contains("restart-tailscaled.sh", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
