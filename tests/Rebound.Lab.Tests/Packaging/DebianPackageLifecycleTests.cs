using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>
/// The .deb's life on a real Debian 12 with systemd (its own container): an upgrade keeps the edited
/// configuration and restarts a running agent (and leaves a stopped one stopped), removal stops it and keeps
/// configuration and state, purge removes them and the "enabled" link. Root only.
/// </summary>
[Collection(SystemdContainerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DebianPackageLifecycleTests : IDisposable
{
    private const string Unit = InstalledAgent.Unit;
    private const string WantsLink = "/etc/systemd/system/multi-user.target.wants/rebound.service";
    private readonly string _temp = Directory.CreateTempSubdirectory("rebound-lifecycle-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upgrade_keeps_the_configuration_and_restarts_remove_keeps_it_purge_removes_everything()
    {
        InstalledAgent.RequireSystemd();
        var deb = InstalledAgent.Package()!;
        var next = await RepackAsync(deb, "+upgrade1");
        await using var c = await DebianContainer.BootAsync(Ct);
        File.Copy(deb, c.HostPath("/root/first.deb"));
        File.Copy(next, c.HostPath("/root/next.deb"));

        await c.RunAsync(Ct, "dpkg", "-i", "/root/first.deb");
        var config = InstalledAgent.OnlineConfig + "\n# edited by the admin\n";
        await File.WriteAllTextAsync(c.HostPath(InstalledAgent.ConfigPath), config, Ct);
        await c.RunAsync(Ct, "systemctl", "enable", "--now", Unit);
        var before = await c.PropertyAsync(Unit, "MainPID", Ct);

        // Upgrade while running: same config (no conffile prompt: the admin's edit stays), a new process.
        var upgrade = await c.ExecAsync(["dpkg", "-i", "/root/next.deb"], Ct);
        Assert.True(upgrade.ExitCode == 0, upgrade.Stdout + upgrade.Stderr);
        Assert.DoesNotContain("not running", upgrade.Stdout, StringComparison.Ordinal); // the next steps are for a first install only
        Assert.EndsWith("+upgrade1", (await c.RunAsync(Ct, "dpkg-query", "-W", "-f=${Version}", "rebound")).Trim(), StringComparison.Ordinal);
        Assert.Equal(config, await File.ReadAllTextAsync(c.HostPath(InstalledAgent.ConfigPath), Ct));
        Assert.Equal("active", await c.PropertyAsync(Unit, "ActiveState", Ct));
        Assert.NotEqual(before, await c.PropertyAsync(Unit, "MainPID", Ct));
        Assert.Equal("enabled", (await c.ExecAsync(["systemctl", "is-enabled", Unit], Ct)).Stdout.Trim());

        // An upgrade (here back to the first build) leaves a stopped agent stopped.
        await c.RunAsync(Ct, "systemctl", "stop", Unit);
        await c.RunAsync(Ct, "dpkg", "-i", "/root/first.deb");
        Assert.Equal("inactive", await c.PropertyAsync(Unit, "ActiveState", Ct));
        await c.RunAsync(Ct, "systemctl", "start", Unit);
        await InstalledAgent.WaitForAsync(() => Task.FromResult(File.Exists(c.HostPath("/var/lib/rebound/journal.db"))), TimeSpan.FromSeconds(20), "the journal", Ct);

        // Remove: stopped, the binary gone, configuration and state kept.
        await c.RunAsync(Ct, "dpkg", "-r", "rebound");
        Assert.Equal("inactive", (await c.ExecAsync(["systemctl", "is-active", Unit], Ct)).Stdout.Trim());
        Assert.False(File.Exists(c.HostPath("/usr/bin/rebound")));
        Assert.Equal(config, await File.ReadAllTextAsync(c.HostPath(InstalledAgent.ConfigPath), Ct));
        Assert.True(File.Exists(c.HostPath("/var/lib/rebound/journal.db")));

        // Purge: configuration (with the admin's key files), state and the enabled link are gone.
        await File.WriteAllTextAsync(c.HostPath("/etc/rebound/home.key"), "key \"home\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\n", Ct);
        await c.RunAsync(Ct, "dpkg", "-P", "rebound");
        Assert.False(Directory.Exists(c.HostPath("/etc/rebound")));
        Assert.False(Directory.Exists(c.HostPath("/var/lib/rebound")));
        Assert.False(File.Exists(c.HostPath(WantsLink)) || new FileInfo(c.HostPath(WantsLink)).LinkTarget is not null);
        var gone = await c.ExecAsync(["systemctl", "is-enabled", Unit], Ct);
        Assert.True(gone.ExitCode != 0 && gone.Stderr.Contains("No such file", StringComparison.Ordinal), gone.Stdout + gone.Stderr);
    }

    /// <summary>The same package under another version, as the next release would be.</summary>
    private async Task<string> RepackAsync(string deb, string suffix)
    {
        var tree = Path.Combine(_temp, "tree");
        (await ProcessRunner.RunAsync("dpkg-deb", ["--raw-extract", deb, tree], TimeSpan.FromSeconds(60), Ct)).EnsureSuccess();
        var control = Path.Combine(tree, "DEBIAN", "control");
        var lines = (await File.ReadAllLinesAsync(control, Ct)).Select(l => l.StartsWith("Version: ", StringComparison.Ordinal) ? l + suffix : l);
        await File.WriteAllLinesAsync(control, lines, Ct);
        var next = Path.Combine(_temp, "next.deb");
        (await ProcessRunner.RunAsync("dpkg-deb", ["--root-owner-group", "--build", tree, next], TimeSpan.FromSeconds(120), Ct)).EnsureSuccess();
        return next;
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
