using System.Text.Json;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>The systemd tests run one after another: each boots or shares a container, and their timings must not compete.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SystemdContainerCollection
{
    public const string Name = "systemd container";
}

/// <summary>
/// The .deb installed with dpkg into a booted Debian 12 container, exactly as an admin would, with two STUN
/// servers (the host's coturn, run in the container's network namespace) on the container's loopback.
/// Shared by <see cref="SystemdServiceTests"/>; each test puts the agent in the state it needs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstalledAgent : IAsyncLifetime
{
    public const string Unit = "rebound.service";
    public const string ConfigPath = "/etc/rebound/rebound.toml";

    /// <summary>The agent with answering STUN servers, probing every second.</summary>
    public const string OnlineConfig = """
        [watch]
        servers = ["127.0.0.1:3478", "127.0.0.1:3479"]
        interval = "1s"
        """;

    private DebianContainer? _container;

    public DebianContainer Container => _container ?? throw new InvalidOperationException("the container did not boot");

    /// <summary>What `dpkg -i` printed.</summary>
    public CommandResult Install { get; private set; } = new("", -1, "", "");

    /// <summary>`systemctl is-enabled` and `is-active` right after the install, before any test touched the unit.</summary>
    public (string Enabled, string Active) StateAfterInstall { get; private set; }

    /// <summary>The package under test: REBOUND_DEB (scripts/test sets it), else the newest one built for this machine.</summary>
    public static string? Package()
    {
        if (Environment.GetEnvironmentVariable("REBOUND_DEB") is { Length: > 0 } set)
        {
            return set;
        }

        var dir = Path.Combine(LabEnvironment.RepoRoot, "artifacts", "deb");
        var arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64";
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir, $"rebound_*_{arch}.deb").OrderBy(File.GetLastWriteTimeUtc).LastOrDefault()
            : null;
    }

    /// <summary>Skips (or with REBOUND_REQUIRE_LAB=1 fails) when this machine cannot boot the container or there is no package.</summary>
    public static void RequireSystemd()
    {
        LabEnvironment.RequireLab();
        string? missing = null;
        if (!File.Exists("/usr/bin/systemd-nspawn"))
        {
            missing = "systemd-nspawn is missing (package systemd-container; run scripts/install-deps)";
        }
        else if (!File.Exists("/usr/sbin/debootstrap"))
        {
            missing = "debootstrap is missing (run scripts/install-deps)";
        }
        else if (Package() is not { } deb || !File.Exists(deb))
        {
            missing = "no .deb to test: build one with packaging/build-deb.sh (or set REBOUND_DEB)";
        }

        if (missing is null)
        {
            return;
        }

        if (LabEnvironment.LabRequired)
        {
            Assert.Fail($"REBOUND_REQUIRE_LAB=1 but {missing}");
        }

        Assert.Skip(missing);
    }

    private static bool CanRun() =>
        Environment.IsPrivilegedProcess && File.Exists("/usr/bin/systemd-nspawn") && File.Exists("/usr/sbin/debootstrap")
        && File.Exists("/usr/bin/turnserver") && Package() is { } deb && File.Exists(deb);

    public async ValueTask InitializeAsync()
    {
        if (!CanRun())
        {
            return; // each test skips (or fails) through RequireSystemd
        }

        var ct = TestContext.Current.CancellationToken;
        _container = await DebianContainer.BootAsync(ct);
        File.Copy(Package()!, Container.HostPath("/root/rebound.deb"));
        Install = await Container.ExecAsync(["dpkg", "-i", "/root/rebound.deb"], ct);
        StateAfterInstall = (
            (await Container.ExecAsync(["systemctl", "is-enabled", Unit], ct)).Stdout.Trim(),
            (await Container.ExecAsync(["systemctl", "is-active", Unit], ct)).Stdout.Trim());
        foreach (var port in new[] { "3478", "3479" })
        {
            Container.StartInNetwork(
                "/usr/bin/turnserver", "-n", "--stun-only", "-L", "127.0.0.1", "-p", port, "--no-cli", "--no-tls", "--no-dtls", "--log-file=stdout", "--simple-log");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    public async Task WriteConfigAsync(string toml, CancellationToken ct) =>
        await File.WriteAllTextAsync(Container.HostPath(ConfigPath), toml + "\n", ct);

    /// <summary>The agent (re)started on <paramref name="toml"/>; returns its main PID once systemd calls it active.</summary>
    public async Task<string> RunWithAsync(string toml, CancellationToken ct)
    {
        await WriteConfigAsync(toml, ct);
        await Container.RunAsync(ct, "systemctl", "restart", Unit);
        Assert.Equal("active", await Container.PropertyAsync(Unit, "ActiveState", ct));
        return await Container.PropertyAsync(Unit, "MainPID", ct);
    }

    /// <summary>The agent's journal, as `rebound events --json` inside the container lists it.</summary>
    public async Task<List<JsonElement>> EventsAsync(string kind, CancellationToken ct)
    {
        var r = await Container.ExecAsync(["rebound", "events", "--json", "--kind", kind], ct);
        if (r.ExitCode == 1 && r.Stderr.Contains("no event journal", StringComparison.Ordinal))
        {
            return [];
        }

        return [.. r.EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>The unit's journal lines (MESSAGE only), oldest first.</summary>
    public async Task<string> JournalAsync(CancellationToken ct, params string[] options) =>
        await Container.RunAsync(ct, ["journalctl", "--no-pager", "-u", Unit, "-o", "cat", .. options]);

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken ct)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(start) > timeout)
            {
                Assert.Fail($"{what}: not within {timeout.TotalSeconds} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System, ct);
        }

        return TimeProvider.System.GetElapsedTime(start);
    }
}
