using System.Globalization;
using Rebound.Act.Commands;

namespace Rebound.Tests.Act.Commands;

/// <summary>The real runner against /bin/sh: a restart_command must not outlive the agent's shutdown.</summary>
public sealed class ProcessCommandRunnerTests
{
    [Fact]
    public async Task Cancelling_kills_a_running_command_before_Cancel_returns()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/bin/sh"), "needs /bin/sh and /proc");
        var pidFile = Path.Combine(Path.GetTempPath(), $"rebound-cmd-{Guid.NewGuid():N}.pid");
        using var cts = new CancellationTokenSource();
        var run = new ProcessCommandRunner().RunAsync(
            ["/bin/sh", "-c", $"echo $$ > {pidFile}.tmp && mv {pidFile}.tmp {pidFile} && exec sleep 30"],
            TimeSpan.FromMinutes(1), cts.Token).AsTask();
        try
        {
            var pid = await WaitForPidAsync(pidFile);
            Assert.False(IsDyingOrGone(pid));

            cts.Cancel();

            // The agent may exit right after cancelling (SIGTERM): the kill must already have been sent by now.
            Assert.True(IsDyingOrGone(pid), $"process {pid} still running without a pending SIGKILL");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public async Task A_finished_command_reports_its_exit_code_and_first_error_line()
    {
        Assert.SkipUnless(File.Exists("/bin/sh"), "needs /bin/sh");
        var (code, error) = await new ProcessCommandRunner().RunAsync(
            ["/bin/sh", "-c", "echo 'Job failed.' >&2; echo second >&2; exit 3"], TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal((3, "Job failed."), (code, error));
    }

    private static async Task<int> WaitForPidAsync(string file)
    {
        for (var i = 0; i < 200; i++)
        {
            if (File.Exists(file))
                return int.Parse((await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Trim(), CultureInfo.InvariantCulture);
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("the command never started");
    }

    /// <summary>Gone, a zombie, or with SIGKILL (signal 9, bit 8) pending: killing is synchronous, dying is not.</summary>
    private static bool IsDyingOrGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            if (state is 'Z' or 'X' or 'x')
                return true;
            foreach (var line in File.ReadAllLines($"/proc/{pid}/status"))
            {
                if ((line.StartsWith("SigPnd:", StringComparison.Ordinal) || line.StartsWith("ShdPnd:", StringComparison.Ordinal))
                    && (ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x100) != 0)
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }
    }
}
