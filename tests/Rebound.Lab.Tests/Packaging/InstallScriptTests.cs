using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>
/// packaging/install.sh into a temporary root (DESTDIR), with the real CLI as the binary, and the unit
/// file checked by systemd's own parser. Needs no lab: systemctl is never called with DESTDIR.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstallScriptTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _temp = Directory.CreateTempSubdirectory("rebound-install-").FullName;

    private string DestDir => Path.Combine(_temp, "root");

    private static string Packaging(string name) => PackagingFiles.Packaging(name);

    private string Binary() => PackagingFiles.Binary(_temp);

    private async Task<CommandResult> InstallAsync(params string[] args) =>
        await ProcessRunner.RunAsync(
            "env", [$"DESTDIR={DestDir}", "bash", Packaging("install.sh"), .. args], Timeout, TestContext.Current.CancellationToken);

    private string Under(string path) => DestDir + path;

    private static UnixFileMode Mode(string path) => File.GetUnixFileMode(path) & (UnixFileMode)0b111_111_111;

    [Fact]
    public async Task Installs_binary_unit_sample_config_and_state_directory_with_their_modes()
    {
        var r = await InstallAsync("--binary", Binary());

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal((UnixFileMode)0b111_101_101, Mode(Under("/usr/local/bin/rebound")));
        Assert.Equal((UnixFileMode)0b110_100_100, Mode(Under("/etc/systemd/system/rebound.service")));
        Assert.Equal((UnixFileMode)0b110_100_000, Mode(Under("/etc/rebound/rebound.toml")));
        Assert.Equal((UnixFileMode)0b111_000_000, Mode(Under("/var/lib/rebound")));
        Assert.Equal(await File.ReadAllTextAsync(Packaging("rebound.toml"), TestContext.Current.CancellationToken), await File.ReadAllTextAsync(Under("/etc/rebound/rebound.toml"), TestContext.Current.CancellationToken));
        Assert.Contains("rebound.toml: ok", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("systemctl daemon-reload && systemctl enable --now rebound", r.Stdout, StringComparison.Ordinal);
        if (Environment.IsPrivilegedProcess)
        {
            var stat = await ProcessRunner.RunAsync("stat", ["-c", "%u:%g", Under("/etc/rebound/rebound.toml")], Timeout, TestContext.Current.CancellationToken);
            Assert.Equal("0:0", stat.Stdout.Trim());
        }
    }

    [Fact]
    public async Task An_existing_config_is_never_overwritten()
    {
        Directory.CreateDirectory(Under("/etc/rebound"));
        const string Mine = "[watch]\nservers = [\"203.0.113.10:3478\", \"203.0.113.11:3478\"]\ninterval = \"1s\"\n";
        await File.WriteAllTextAsync(Under("/etc/rebound/rebound.toml"), Mine, TestContext.Current.CancellationToken);

        var first = await InstallAsync("--binary", Binary());
        var again = await InstallAsync("--binary", Binary());

        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Contains("kept the existing", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(Mine, await File.ReadAllTextAsync(Under("/etc/rebound/rebound.toml"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_broken_existing_config_fails_the_install_with_its_problem()
    {
        Directory.CreateDirectory(Under("/etc/rebound"));
        await File.WriteAllTextAsync(Under("/etc/rebound/rebound.toml"), "[watch]\nintervall = \"1s\"\n", TestContext.Current.CancellationToken);

        var r = await InstallAsync("--binary", Binary());

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("rebound.toml:2: watch.intervall", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("fix them before starting the service", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prefix_moves_the_binary_and_the_units_exec_start()
    {
        var r = await InstallAsync("--binary", Binary(), "--prefix", "/opt/rebound");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.True(File.Exists(Under("/opt/rebound/bin/rebound")));
        var unit = await File.ReadAllTextAsync(Under("/etc/systemd/system/rebound.service"), TestContext.Current.CancellationToken);
        Assert.Contains("ExecStart=/opt/rebound/bin/rebound run --config /etc/rebound/rebound.toml\n", unit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uninstall_keeps_config_and_state_and_purge_removes_them()
    {
        Assert.Equal(0, (await InstallAsync("--binary", Binary())).ExitCode);
        await File.WriteAllTextAsync(Under("/var/lib/rebound/ddns-cache.json"), "{}", TestContext.Current.CancellationToken);

        var uninstall = await InstallAsync("--uninstall");

        Assert.Equal(0, uninstall.ExitCode);
        Assert.False(File.Exists(Under("/usr/local/bin/rebound")));
        Assert.False(File.Exists(Under("/etc/systemd/system/rebound.service")));
        Assert.True(File.Exists(Under("/etc/rebound/rebound.toml")));
        Assert.True(File.Exists(Under("/var/lib/rebound/ddns-cache.json")));

        var purge = await InstallAsync("--uninstall", "--purge");

        Assert.Equal(0, purge.ExitCode);
        Assert.False(Directory.Exists(Under("/etc/rebound")));
        Assert.False(Directory.Exists(Under("/var/lib/rebound")));
    }

    [Fact]
    public async Task A_missing_binary_or_bad_argument_is_one_clear_line()
    {
        var missing = await InstallAsync("--binary", Path.Combine(_temp, "nope"));
        var bad = await InstallAsync("--bogus");
        var purgeAlone = await InstallAsync("--purge");

        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("install: no executable at", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("install: unknown argument: --bogus (see --help)", bad.Stderr.Trim());
        Assert.Equal(2, purgeAlone.ExitCode);
        Assert.False(Directory.Exists(DestDir));
    }

    [Fact]
    public async Task The_sample_config_passes_check_config_and_documents_every_section()
    {
        var r = await ProcessRunner.RunAsync(Binary(), ["check-config", Packaging("rebound.toml")], Timeout, TestContext.Current.CancellationToken);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var text = await File.ReadAllTextAsync(Packaging("rebound.toml"), TestContext.Current.CancellationToken);
        foreach (var section in new[] { "[watch]", "# [state]", "# [[ddns]]", "# [[wireguard]]", "# [tailscale]", "# [router]", "# [heal]", "# [[hook]]", "# [journal]", "# [http]" })
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
