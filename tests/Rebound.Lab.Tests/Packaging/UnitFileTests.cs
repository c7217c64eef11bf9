using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>packaging/rebound.service: parsed by systemd itself (systemd-analyze verify), and the hardening the issue asks for.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnitFileTests
{
    private static readonly string UnitPath = Path.Combine(LabEnvironment.RepoRoot, "packaging", "rebound.service");

    private static Dictionary<string, List<string>> Directives() =>
        File.ReadAllLines(UnitPath)
            .Where(l => l.Length > 0 && l[0] is not ('#' or '['))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0], p => p[1])
            .ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public async Task Systemd_accepts_the_unit_without_warnings()
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            Assert.Skip("systemd-analyze is not installed (package systemd)");
        }

        // verify insists that ExecStart's binary exists: point it at the CLI we built.
        var dir = Directory.CreateTempSubdirectory("rebound-unit-").FullName;
        try
        {
            var binary = Path.Combine(dir, "rebound");
            await File.WriteAllTextAsync(binary, "#!/bin/sh\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
            var unit = Path.Combine(dir, "rebound.service");
            await File.WriteAllTextAsync(
                unit, (await File.ReadAllTextAsync(UnitPath, TestContext.Current.CancellationToken)).Replace("/usr/bin/rebound", binary, StringComparison.Ordinal), TestContext.Current.CancellationToken);

            // verify also runs `man` for every Documentation= page: give it the generated ones.
            var docs = await PackagingFiles.GenerateDocsAsync(dir, TestContext.Current.CancellationToken);
            foreach (var (page, section) in new[] { ("rebound.8", "man8"), ("rebound.toml.5", "man5") })
            {
                Directory.CreateDirectory(Path.Combine(dir, "man", section));
                File.Copy(Path.Combine(docs, page), Path.Combine(dir, "man", section, page));
            }

            var r = await ProcessRunner.RunAsync(
                "env", [$"MANPATH={dir}/man", "systemd-analyze", "verify", unit], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            Assert.True(r.ExitCode == 0 && r.Stderr.Trim().Length == 0, $"exit {r.ExitCode}: {r.Stderr}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Unit_is_a_notify_service_with_a_watchdog_and_reload()
    {
        var d = Directives();

        Assert.Equal(["notify"], d["Type"]);
        Assert.Equal(["/usr/bin/rebound run --config /etc/rebound/rebound.toml"], d["ExecStart"]);
        // Not /bin/kill: a minimal Debian has none (procps), and the reload failed with 203/EXEC.
        Assert.Equal(["/bin/sh -c 'kill -HUP \"$MAINPID\"'"], d["ExecReload"]);
        Assert.Equal(["30"], d["WatchdogSec"]);
        Assert.Equal(["on-failure"], d["Restart"]);
        Assert.Equal(["rebound"], d["StateDirectory"]);
        Assert.Equal(["rebound"], d["RuntimeDirectory"]);
    }

    [Fact]
    public void Unit_holds_the_service_to_two_capabilities_and_a_read_only_system()
    {
        var d = Directives();

        Assert.Equal(["CAP_NET_ADMIN CAP_NET_RAW"], d["CapabilityBoundingSet"]);
        Assert.False(d.ContainsKey("AmbientCapabilities"), "root gets its bounding set anyway");
        Assert.Equal(["yes"], d["NoNewPrivileges"]);
        Assert.Equal(["strict"], d["ProtectSystem"]);
        Assert.Equal(["yes"], d["ProtectHome"]);
        Assert.Equal(["yes"], d["PrivateTmp"]);
        Assert.Equal(["AF_UNIX AF_INET AF_INET6 AF_NETLINK"], d["RestrictAddressFamilies"]);
        Assert.False(d.ContainsKey("User"), "runs as root with a bounding set; see the unit's comment");
    }
}
