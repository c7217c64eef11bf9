using System.Security.Cryptography;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Packaging;

/// <summary>
/// The .debs packaging/build-deb.sh made (REBOUND_DEB for this machine's architecture, REBOUND_DEB_ARM64 for the
/// cross-built one): lintian finds no error or warning, the files, modes and owners are the ones promised,
/// the binary is for the package's architecture, and building again gives the same bytes. No root needed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DebianPackageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly string _temp = Directory.CreateTempSubdirectory("rebound-deb-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Architectures() => ["amd64", "arm64"];

    /// <summary>The package for <paramref name="arch"/>; skips (fails under REBOUND_REQUIRE_LAB=1) when it was not built.</summary>
    private static string Package(string arch)
    {
        var path = arch == "arm64" ? Environment.GetEnvironmentVariable("REBOUND_DEB_ARM64") : InstalledAgent.Package();
        if (path is { Length: > 0 } && File.Exists(path))
        {
            return path;
        }

        var missing = $"no {arch} .deb: build it with packaging/build-deb.sh --arch {arch} and set {(arch == "arm64" ? "REBOUND_DEB_ARM64" : "REBOUND_DEB")}";
        if (LabEnvironment.LabRequired)
        {
            Assert.Fail("REBOUND_REQUIRE_LAB=1 but " + missing);
        }

        Assert.Skip(missing);
        return "";
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public async Task Lintian_finds_no_error_and_no_warning(string arch)
    {
        var deb = Package(arch);

        var r = await ProcessRunner.RunAsync("lintian", ["--fail-on", "error,warning", "--tag-display-limit", "0", deb], Timeout, Ct);

        var tags = r.Stdout.Split('\n').Where(l => l.StartsWith("E: ", StringComparison.Ordinal) || l.StartsWith("W: ", StringComparison.Ordinal)).ToList();
        Assert.True(r.ExitCode == 0 && tags.Count == 0, r.Stdout + r.Stderr);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public async Task The_package_holds_what_it_promises_with_the_right_modes(string arch)
    {
        var deb = Package(arch);

        var listing = (await ProcessRunner.RunAsync("dpkg-deb", ["--contents", deb], Timeout, Ct)).EnsureSuccess().Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[^1].TrimStart('.'), f => (Mode: f[0], Owner: f[1]));

        Assert.All(listing.Values, e => Assert.Equal("root/root", e.Owner));
        Assert.Equal("-rwxr-xr-x", listing["/usr/bin/rebound"].Mode);
        Assert.Equal("-rw-r-----", listing["/etc/rebound/rebound.toml"].Mode);
        foreach (var file in new[]
                 {
                     "/lib/systemd/system/rebound.service", "/usr/share/man/man8/rebound.8.gz", "/usr/share/man/man5/rebound.toml.5.gz",
                     "/usr/share/bash-completion/completions/rebound", "/usr/share/zsh/vendor-completions/_rebound",
                     "/usr/share/fish/vendor_completions.d/rebound.fish", "/usr/share/rebound/prometheus/rebound.rules.yml",
                     "/usr/share/rebound/prometheus/grafana-dashboard.json", "/usr/share/doc/rebound/copyright", "/usr/share/doc/rebound/changelog.gz",
                 })
        {
            Assert.Equal("-rw-r--r--", listing[file].Mode);
        }

        var control = (await ProcessRunner.RunAsync("dpkg-deb", ["--field", deb, "Architecture", "Depends"], Timeout, Ct)).EnsureSuccess().Stdout;
        Assert.Contains($"Architecture: {arch}", control, StringComparison.Ordinal);
        Assert.Matches(@"Depends: libc6 \(>= [0-9.]+\), zlib1g \(>= [^)]+\), libssl3", control);
        var dir = Path.Combine(_temp, "control");
        (await ProcessRunner.RunAsync("dpkg-deb", ["--control", deb, dir], Timeout, Ct)).EnsureSuccess();
        Assert.Equal("/etc/rebound/rebound.toml\n", await File.ReadAllTextAsync(Path.Combine(dir, "conffiles"), Ct));

        // The ELF header's e_machine (offset 18): 62 x86-64, 183 AArch64.
        var binary = Path.Combine(_temp, "rebound");
        (await ProcessRunner.RunAsync("sh", ["-c", $"dpkg-deb --fsys-tarfile '{deb}' | tar -xO ./usr/bin/rebound > '{binary}'"], Timeout, Ct)).EnsureSuccess();
        var header = new byte[20];
        await using (var elf = File.OpenRead(binary))
        {
            await elf.ReadExactlyAsync(header, Ct);
        }

        Assert.Equal(arch == "arm64" ? 183 : 62, BitConverter.ToUInt16(header, 18));
    }

    [Fact]
    public async Task The_arm64_binary_runs_under_qemu_with_the_command_tree_its_manual_page_was_made_from()
    {
        var deb = Package("arm64");
        if (!File.Exists("/usr/bin/qemu-aarch64"))
        {
            if (LabEnvironment.LabRequired)
            {
                Assert.Fail("REBOUND_REQUIRE_LAB=1 but qemu-aarch64 is missing (package qemu-user; run scripts/install-deps)");
            }

            Assert.Skip("qemu-aarch64 is missing (package qemu-user)");
        }

        var binary = Path.Combine(_temp, "rebound-arm64");
        (await ProcessRunner.RunAsync("sh", ["-c", $"dpkg-deb --fsys-tarfile '{deb}' | tar -xO ./usr/bin/rebound > '{binary}' && chmod 755 '{binary}'"], Timeout, Ct)).EnsureSuccess();

        var arm = await ProcessRunner.RunAsync("qemu-aarch64", [binary, "command-tree"], Timeout, Ct);
        var check = await ProcessRunner.RunAsync("qemu-aarch64", [binary, "check-config", PackagingFiles.Packaging("rebound.toml")], Timeout, Ct);
        var here = await ProcessRunner.RunAsync(PackagingFiles.Binary(_temp), ["command-tree"], Timeout, Ct);

        // The docs of the arm64 package are generated by the x64 build: the same tree, byte for byte.
        Assert.Equal(here.EnsureSuccess().Stdout, arm.EnsureSuccess().Stdout);
        Assert.Contains("rebound.toml: ok", check.EnsureSuccess().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Building_again_from_the_same_binary_gives_the_same_bytes()
    {
        var deb = Package("amd64");
        var binary = Path.Combine(_temp, "rebound");
        (await ProcessRunner.RunAsync("sh", ["-c", $"dpkg-deb --fsys-tarfile '{deb}' | tar -xO ./usr/bin/rebound > '{binary}' && chmod 755 '{binary}'"], Timeout, Ct)).EnsureSuccess();

        var builds = new List<byte[]>();
        foreach (var run in new[] { "a", "b" })
        {
            var out_ = Path.Combine(_temp, run);
            var r = await ProcessRunner.RunAsync(
                "bash", [Path.Combine(LabEnvironment.RepoRoot, "packaging", "build-deb.sh"), "--arch", "amd64", "--binary", binary, "--out", out_], Timeout, Ct);
            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            builds.Add(SHA256.HashData(await File.ReadAllBytesAsync(Directory.GetFiles(out_, "*.deb").Single(), Ct)));
        }

        Assert.Equal(Convert.ToHexString(builds[0]), Convert.ToHexString(builds[1]));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
