using Rebound.Act.Tune;
using Rebound.Lab.Tests.Harness;
using Rebound.Lab.Tests.Netlink;
using Rebound.Transport;

namespace Rebound.Lab.Tests.Router;

/// <summary>
/// <c>rebound tune --apply/--revert</c> on the real /proc/sys, inside a throwaway network namespace: the net.*
/// settings are per namespace, so the namespace's values change and come back while the host's never move.
/// The drop-in and backup go to a temp directory (never /etc/sysctl.d on the test machine).
/// </summary>
public sealed class TuneNamespaceLabTests
{
    [Fact]
    public async Task Cli_apply_and_revert_in_a_namespace_leave_the_host_untouched()
    {
        LabNetworkNamespace.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        await using var ns = await LabNetworkNamespace.CreateAsync();
        var temp = Directory.CreateTempSubdirectory("rebound-tune-lab-").FullName;
        try
        {
            var options = new TuneOptions { SysctlDirectory = Path.Combine(temp, "sysctl.d"), StateDirectory = Path.Combine(temp, "state") };
            var host = Values(new Tuner(options).Inspect());
            var inside = Values(NetworkNamespace.Run(ns.Path, () => new Tuner(options).Inspect()));
            Assert.Contains(inside, v => v.Value is not null && v.Key == "net.ipv4.tcp_retries2");

            string[] tune = [.. ReboundProcess.CliCommand(), "tune", "--sysctl-dir", options.SysctlDirectory, "--state-dir", options.StateDirectory];
            var apply = await ProcessRunner.RunAsync("ip", ["netns", "exec", ns.Name, .. tune, "--apply"], TimeSpan.FromSeconds(60), ct);
            Assert.True(apply.ExitCode == 0, apply.Stderr);
            Assert.Contains("applied ", apply.Stdout, StringComparison.Ordinal);

            var applied = NetworkNamespace.Run(ns.Path, () => new Tuner(options).Inspect());
            Assert.All(applied.Where(r => r.Current is not null), r => Assert.Equal("ok", r.Status));
            Assert.Equal("8", applied.Single(r => r.Setting.Key == "net.ipv4.tcp_retries2").Current);
            Assert.Equal(host, Values(new Tuner(options).Inspect()));
            Assert.Contains("net.ipv4.tcp_retries2 = 8", await File.ReadAllTextAsync(options.DropInPath, ct), StringComparison.Ordinal);

            var revert = await ProcessRunner.RunAsync("ip", ["netns", "exec", ns.Name, .. tune, "--revert"], TimeSpan.FromSeconds(60), ct);
            Assert.True(revert.ExitCode == 0, revert.Stderr);

            Assert.Equal(inside, Values(NetworkNamespace.Run(ns.Path, () => new Tuner(options).Inspect())));
            Assert.Equal(host, Values(new Tuner(options).Inspect()));
            Assert.False(File.Exists(options.DropInPath));
            Assert.False(File.Exists(options.BackupPath));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task In_process_apply_on_a_namespace_thread_changes_only_that_namespace()
    {
        LabNetworkNamespace.RequireRoot();
        await using var ns = await LabNetworkNamespace.CreateAsync();
        var temp = Directory.CreateTempSubdirectory("rebound-tune-lab-").FullName;
        try
        {
            var options = new TuneOptions { SysctlDirectory = Path.Combine(temp, "sysctl.d"), StateDirectory = Path.Combine(temp, "state") };
            var host = Values(new Tuner(options).Inspect());

            var changes = NetworkNamespace.Run(ns.Path, () => new Tuner(options).Apply());

            Assert.Contains(changes, c => c.Key == "net.ipv4.tcp_keepalive_time" && c.To == "120");
            Assert.Equal(host, Values(new Tuner(options).Inspect()));
            Assert.NotNull(NetworkNamespace.Run(ns.Path, () => new Tuner(options).Revert()));
            Assert.Equal(host, Values(new Tuner(options).Inspect()));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static Dictionary<string, string?> Values(IReadOnlyList<TuneRow> rows) => rows.ToDictionary(r => r.Setting.Key, r => r.Current);
}
