using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>
/// The packaged unit under a real systemd 252 (Debian 12 in systemd-nspawn), installed with dpkg: readiness,
/// reload, the watchdog, stopping, journald priorities, and every hardening setting of the unit in force on
/// the running agent while it probes, reloads, journals, serves /metrics, restarts a unit over D-Bus and
/// runs a hook. Root only; the container tree is cached under /var/cache/rebound-test.
/// </summary>
[Collection(SystemdContainerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SystemdServiceTests(InstalledAgent agent) : IClassFixture<InstalledAgent>
{
    private const string Unit = InstalledAgent.Unit;

    /// <summary>STUN servers on ports nothing listens on: the agent is offline.</summary>
    private const string OfflineConfig = """
        [watch]
        servers = ["127.0.0.1:3490", "127.0.0.1:3491"]
        interval = "1s"
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DebianContainer Container => agent.Container;

    [Fact]
    public async Task Installing_starts_nothing_and_prints_the_next_step()
    {
        InstalledAgent.RequireSystemd();

        Assert.True(agent.Install.ExitCode == 0, agent.Install.Stdout + agent.Install.Stderr);
        Assert.Contains("rebound is installed and not running", agent.Install.Stdout, StringComparison.Ordinal);
        Assert.Contains("rebound check-config /etc/rebound/rebound.toml", agent.Install.Stdout, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now rebound", agent.Install.Stdout, StringComparison.Ordinal);
        Assert.Equal(("disabled", "inactive"), agent.StateAfterInstall);
        Assert.Equal("640 root:root", (await Container.RunAsync(Ct, "stat", "-c", "%a %U:%G", InstalledAgent.ConfigPath)).Trim());
        Assert.Contains(InstalledAgent.ConfigPath, await Container.RunAsync(Ct, "dpkg-query", "-W", "-f=${Conffiles}", "rebound"), StringComparison.Ordinal);
        Assert.Contains(".TH REBOUND 8", await Container.RunAsync(Ct, "sh", "-c", "zcat /usr/share/man/man8/rebound.8.gz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_returns_only_after_READY_and_an_offline_agent_gets_there_too()
    {
        InstalledAgent.RequireSystemd();
        await Container.RunAsync(Ct, "systemctl", "stop", Unit);
        await agent.WriteConfigAsync(OfflineConfig, Ct);

        // Type=notify: `systemctl start` blocks until READY=1, which the agent sends once its first rounds
        // are in. Offline that takes two silent rounds (1 s timeout each); the unit is "activating" meanwhile.
        var states = new List<string>();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                states.Add(await Container.PropertyAsync(Unit, "ActiveState", CancellationToken.None));
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, CancellationToken.None);
            }
        }, CancellationToken.None);
        var started = TimeProvider.System.GetTimestamp();
        await Container.RunAsync(Ct, "systemctl", "start", Unit);
        var took = TimeProvider.System.GetElapsedTime(started);
        await sampling.CancelAsync();
        await sampler;

        Assert.Contains("activating", states);
        Assert.True(took > TimeSpan.FromSeconds(1), $"systemctl start returned after {took.TotalMilliseconds:0} ms, before the first rounds could end");
        Assert.Equal("active", await Container.PropertyAsync(Unit, "ActiveState", Ct));
        Assert.Equal("watching 2 STUN server(s); public IPv4 unknown", await Container.PropertyAsync(Unit, "StatusText", Ct));
        var journal = await agent.JournalAsync(Ct, "--since", "-1min");
        Assert.True(
            journal.LastIndexOf(" started ipv4 unknown", StringComparison.Ordinal) is var ready and >= 0
            && journal.LastIndexOf("Started rebound.service", StringComparison.Ordinal) > ready,
            $"the agent's 'started' line must come before systemd's 'Started':\n{journal}");

        // Online, READY carries the address the STUN servers saw.
        await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
        Assert.Equal("watching 2 STUN server(s); public IPv4 127.0.0.1", await Container.PropertyAsync(Unit, "StatusText", Ct));
    }

    [Fact]
    public async Task Reload_journals_config_reloaded_and_an_invalid_file_config_rejected_while_the_agent_keeps_running()
    {
        InstalledAgent.RequireSystemd();
        var pid = await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
        var reloaded = (await agent.EventsAsync("config-reloaded", Ct)).Count;
        var rejected = (await agent.EventsAsync("config-rejected", Ct)).Count;

        await Container.RunAsync(Ct, "systemctl", "reload", Unit);
        await InstalledAgent.WaitForAsync(async () => (await agent.EventsAsync("config-reloaded", Ct)).Count > reloaded, TimeSpan.FromSeconds(15), "config-reloaded in the journal", Ct);

        await agent.WriteConfigAsync(InstalledAgent.OnlineConfig + "\nintervall = \"1s\"", Ct);
        await Container.RunAsync(Ct, "systemctl", "reload", Unit);
        await InstalledAgent.WaitForAsync(async () => (await agent.EventsAsync("config-rejected", Ct)).Count > rejected, TimeSpan.FromSeconds(15), "config-rejected in the journal", Ct);

        Assert.Equal("active", await Container.PropertyAsync(Unit, "ActiveState", Ct));
        Assert.Equal(pid, await Container.PropertyAsync(Unit, "MainPID", Ct));
        Assert.Contains("watch.intervall", await agent.JournalAsync(Ct, "--since", "-1min"), StringComparison.Ordinal);
        await agent.WriteConfigAsync(InstalledAgent.OnlineConfig, Ct);
    }

    [Fact]
    public async Task A_stopped_agent_is_restarted_by_the_watchdog_within_WatchdogSec()
    {
        InstalledAgent.RequireSystemd();
        var pid = await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
        Assert.Equal("30s", await Container.PropertyAsync(Unit, "WatchdogUSec", Ct));
        var watchdog = TimeSpan.FromSeconds(30);
        var restarts = int.Parse(await Container.PropertyAsync(Unit, "NRestarts", Ct), CultureInfo.InvariantCulture);

        // SIGSTOP freezes every thread: no more WATCHDOG=1, but the process is alive, so only the watchdog can tell.
        await Container.RunAsync(Ct, "systemctl", "kill", "--kill-who=main", "--signal=SIGSTOP", Unit);
        var noticed = await InstalledAgent.WaitForAsync(
            async () => (await agent.JournalAsync(Ct, "--since", "-2min")).Contains("Watchdog timeout", StringComparison.Ordinal),
            watchdog + TimeSpan.FromSeconds(5), "systemd's watchdog timeout", Ct);
        await InstalledAgent.WaitForAsync(
            async () => await Container.PropertyAsync(Unit, "ActiveState", Ct) == "active" && await Container.PropertyAsync(Unit, "MainPID", Ct) is var now && now != pid && now != "0",
            TimeSpan.FromSeconds(30), "a new agent after the watchdog restart", Ct);

        Assert.True(noticed <= watchdog + TimeSpan.FromSeconds(2), $"watchdog noticed after {noticed.TotalSeconds:0.0} s");
        Assert.Equal(restarts + 1, int.Parse(await Container.PropertyAsync(Unit, "NRestarts", Ct), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Stop_exits_cleanly_within_TimeoutStopSec()
    {
        InstalledAgent.RequireSystemd();
        await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
        Assert.Equal("30s", await Container.PropertyAsync(Unit, "TimeoutStopUSec", Ct));
        var timeout = TimeSpan.FromSeconds(30);

        var started = TimeProvider.System.GetTimestamp();
        await Container.RunAsync(Ct, "systemctl", "stop", Unit);
        var took = TimeProvider.System.GetElapsedTime(started);

        Assert.True(took < timeout, $"stop took {took.TotalSeconds:0.0} s (TimeoutStopSec {timeout.TotalSeconds} s)");
        Assert.Equal("inactive", await Container.PropertyAsync(Unit, "ActiveState", Ct));
        Assert.Equal("success", await Container.PropertyAsync(Unit, "Result", Ct));
        Assert.Equal("0", await Container.PropertyAsync(Unit, "ExecMainStatus", Ct));
        var journal = await agent.JournalAsync(Ct, "--since", "-1min");
        Assert.DoesNotContain("timed out", journal, StringComparison.Ordinal);
        Assert.DoesNotContain("SIGKILL", journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journald_gets_warnings_as_warnings_and_events_as_info()
    {
        InstalledAgent.RequireSystemd();
        await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, Ct);

        var warnings = await JournalJsonAsync("-p", "warning");
        var all = await JournalJsonAsync("-p", "debug");

        // Only lo here: the NAT-PMP listener cannot join 224.0.0.1, and says so as a warning (priority 4).
        var multicast = Assert.Single(warnings.Where(w => w.Message.Contains("router announcements", StringComparison.Ordinal)).TakeLast(1));
        Assert.Equal("4", multicast.Priority);
        Assert.Contains("no interface here can join 224.0.0.1", multicast.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(warnings, w => w.Message.Contains(" started ipv4 ", StringComparison.Ordinal));
        Assert.Contains(all, e => e.Message.Contains(" started ipv4 127.0.0.1", StringComparison.Ordinal) && e.Priority == "6");
    }

    [Fact]
    public async Task Systemd_analyze_security_rates_the_unit_at_most_2_5()
    {
        InstalledAgent.RequireSystemd();

        var text = await Container.RunAsync(Ct, "systemd-analyze", "security", "--no-pager", Unit);

        var match = OverallExposure().Match(text);
        Assert.True(match.Success, text);
        var score = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        TestContext.Current.SendDiagnosticMessage($"systemd-analyze security {Unit}: {score}");
        Assert.True(score <= 2.5, $"exposure {score}:\n{text}");
    }

    [Fact]
    public async Task Every_hardening_setting_is_in_force_on_the_running_agent_and_it_still_does_its_job()
    {
        InstalledAgent.RequireSystemd();
        var pid = await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
        await Task.Delay(TimeSpan.FromSeconds(2), TimeProvider.System, Ct);

        var status = Fields(await Container.RunAsync(Ct, "cat", $"/proc/{pid}/status"));
        Assert.Equal("0000000000003000", status["CapBnd"]); // CAP_NET_ADMIN (12) and CAP_NET_RAW (13)
        Assert.Equal("0000000000003000", status["CapEff"]);
        Assert.Equal("0000000000000000", status["CapAmb"]);
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal("2", status["Seccomp"]); // SystemCallFilter, SystemCallArchitectures, MemoryDenyWriteExecute, ... are seccomp filters
        Assert.Equal("0077", status["Umask"]);
        // LimitNOFILE=65536, unless the container's systemd itself has a lower hard limit: it lacks CAP_SYS_RESOURCE
        // (nspawn drops it) and cannot raise a limit above its own (on a real host PID 1 has 524288).
        Assert.Equal("65536", await Container.PropertyAsync(Unit, "LimitNOFILE", Ct));
        var ceiling = Math.Min(65536, OpenFiles(await Container.RunAsync(Ct, "cat", "/proc/1/limits")).Hard);
        Assert.Equal((ceiling, ceiling), OpenFiles(await Container.RunAsync(Ct, "cat", $"/proc/{pid}/limits")));

        var mounts = (await Container.RunAsync(Ct, "cat", $"/proc/{pid}/mountinfo")).Split('\n');
        bool Mount(string point, string pattern) => mounts.Any(m => m.Split(' ') is { Length: > 5 } f && f[4] == point && Regex.IsMatch(m, pattern));
        Assert.True(Mount("/", @"\sro[\s,]"), "ProtectSystem=strict: / read-only");
        Assert.True(Mount("/var/lib/rebound", @"\srw[\s,]"), "StateDirectory writable");
        Assert.True(Mount("/home", "") && Mount("/root", ""), "ProtectHome: /home and /root replaced");
        Assert.True(Mount("/tmp", ""), "PrivateTmp: its own /tmp");
        Assert.True(Mount("/dev", "tmpfs"), "PrivateDevices: its own /dev");
        Assert.True(Mount("/proc", "hidepid=invisible") && Mount("/proc", "subset=pid"), "ProtectProc=invisible, ProcSubset=pid");
        var properties = Fields(await Container.RunAsync(
            Ct, "systemctl", "show", Unit, "--property=MemoryDenyWriteExecute,SystemCallArchitectures,RestrictNamespaces,LockPersonality,ProtectClock,ProtectKernelTunables,ProtectKernelModules,ProtectKernelLogs,ProtectControlGroups,ProtectHostname,RestrictRealtime,RestrictSUIDSGID,RestrictAddressFamilies,SystemCallErrorNumber"), '=');
        Assert.Equal("yes", properties["MemoryDenyWriteExecute"]);
        Assert.Equal("native", properties["SystemCallArchitectures"]);
        Assert.Equal(["AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"], properties["RestrictAddressFamilies"].Split(' ').Order(StringComparer.Ordinal));
        Assert.All(new[] { "LockPersonality", "ProtectClock", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectHostname", "RestrictRealtime", "RestrictSUIDSGID" }, p => Assert.Equal("yes", properties[p]));

        // ... and under all of it the agent probes, journals, serves /metrics and answers on its control socket.
        var metrics = await Container.ExecInNetworkAsync(Ct, "curl", "-sf", "http://127.0.0.1:9464/metrics");
        Assert.Matches(@"(?m)^rebound_probes_total\{result=""ok""\} [1-9]", metrics);
        Assert.Matches(@"(?m)^rebound_upstream_up\{family=""ipv4""\} 1$", metrics);
        Assert.NotEmpty(await agent.EventsAsync("started", Ct));
        var statusJson = JsonDocument.Parse(await Container.RunAsync(Ct, "rebound", "status", "--json")).RootElement;
        Assert.Equal(JsonValueKind.Object, statusJson.ValueKind);
        Assert.Contains("127.0.0.1", statusJson.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unit = \"rebound-canary.service\"")] // over systemd's D-Bus API
    [InlineData("restart_command = [\"/usr/bin/systemctl\", \"restart\", \"rebound-canary.service\"]")]
    public async Task Heal_actions_work_under_the_sandbox_a_unit_restart_and_a_hook(string restart)
    {
        InstalledAgent.RequireSystemd();
        await File.WriteAllTextAsync(Container.HostPath("/etc/systemd/system/rebound-canary.service"), "[Service]\nExecStart=/bin/sleep infinity\n", Ct);
        await Container.RunAsync(Ct, "systemctl", "daemon-reload");
        await Container.RunAsync(Ct, "systemctl", "restart", "rebound-canary.service");
        var canary = await Container.PropertyAsync("rebound-canary.service", "MainPID", Ct);
        await Container.RunAsync(Ct, "rm", "-f", "/run/rebound/heal-failed.json", "/var/lib/rebound/heal-state.json");
        var failedBefore = (await agent.EventsAsync("heal-failed", Ct)).Count;
        var stepsBefore = (await agent.EventsAsync("heal-step", Ct)).Count;

        // tailscaled is not there: only a restart can help, once an hour (max_restarts_per_hour = 1).
        await agent.RunWithAsync(InstalledAgent.OnlineConfig + $$"""

            [tailscale]
            socket = "/run/tailscale/none.sock"
            {{restart}}
            verify_deadline = "1s"

            [heal]
            max_restarts_per_hour = 1
            retry_backoff_min = "1s"

            [[hook]]
            events = ["heal-failed"]
            command = ["/bin/sh", "-c", "cat > /run/rebound/heal-failed.json"]
            """, Ct);

        await InstalledAgent.WaitForAsync(
            async () => (await agent.EventsAsync("heal-failed", Ct)).Skip(failedBefore).Any(e => e.GetProperty("restartsExhausted").GetBoolean()),
            TimeSpan.FromSeconds(40), "a heal-failed with the restart budget spent", Ct);

        Assert.Contains((await agent.EventsAsync("heal-step", Ct)).Skip(stepsBefore), e => e.GetProperty("action").GetString() == "restart" && e.GetProperty("result").GetString() is "done" or "unverified");
        Assert.NotEqual(canary, await Container.PropertyAsync("rebound-canary.service", "MainPID", Ct));
        Assert.Contains("\"event\":\"heal-failed\"", await Container.RunAsync(Ct, "cat", "/run/rebound/heal-failed.json"), StringComparison.Ordinal);
        await agent.RunWithAsync(InstalledAgent.OnlineConfig, Ct);
    }

    private sealed record JournalEntry(string Message, string Priority);

    private async Task<List<JournalEntry>> JournalJsonAsync(params string[] options)
    {
        var text = await Container.RunAsync(Ct, ["journalctl", "--no-pager", "-u", Unit, "-o", "json", "--since", "-2min", .. options]);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("SYSLOG_IDENTIFIER", out var id) && id.GetString() == "rebound" && e.GetProperty("MESSAGE").ValueKind == JsonValueKind.String)
            .Select(e => new JournalEntry(e.GetProperty("MESSAGE").GetString()!, e.GetProperty("PRIORITY").GetString()!))];
    }

    private static (long Soft, long Hard) OpenFiles(string limits)
    {
        var m = Regex.Match(limits, @"Max open files\s+(\d+)\s+(\d+)");
        Assert.True(m.Success, limits);
        return (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, string> Fields(string text, char separator = ':') =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(separator, 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim())
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim());

    [GeneratedRegex(@"Overall exposure level for rebound\.service: (\d+\.\d+)")]
    private static partial Regex OverallExposure();
}
