using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Commands;

namespace Rebound.Tests.Act.Commands;

/// <summary>The real runner against /bin/sh: nothing a command starts may outlive it, its timeout or the agent's shutdown.</summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessCommandRunnerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-cmd-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string PidFile(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public async Task Cancelling_kills_a_running_command_before_Cancel_returns()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/bin/sh"), "needs /bin/sh and /proc");
        var pidFile = PidFile("cmd.pid");
        using var cts = new CancellationTokenSource();
        var run = new ProcessCommandRunner().RunAsync(
            new(["/bin/sh", "-c", $"echo $$ > {pidFile}.tmp && mv {pidFile}.tmp {pidFile} && exec sleep 30"], TimeSpan.FromMinutes(1)), cts.Token).AsTask();
        var pid = await WaitForPidAsync(pidFile);
        Assert.False(IsDyingOrGone(pid));

        cts.Cancel();

        // The agent may exit right after cancelling (SIGTERM): the kill must already have been sent by now.
        Assert.True(IsDyingOrGone(pid), $"process {pid} still running without a pending SIGKILL");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_finished_command_reports_its_exit_code_and_first_error_line()
    {
        Assert.SkipUnless(File.Exists("/bin/sh"), "needs /bin/sh");
        var result = await new ProcessCommandRunner().RunAsync(
            new(["/bin/sh", "-c", "echo 'Job failed.' >&2; echo second >&2; exit 3"], TimeSpan.FromSeconds(30)), Ct);
        Assert.Equal((3, "Job failed."), (result.ExitCode, result.FirstErrorLine));
    }

    [Fact]
    public async Task A_timeout_kills_the_grandchildren_too()
    {
        var pidFile = PidFile("grandchild.pid");
        var time = new FakeTimeProvider();
        var run = new ProcessCommandRunner(time).RunAsync(
            new(["/bin/sh", "-c", $"sleep 300 & echo $! > {pidFile}.tmp; mv {pidFile}.tmp {pidFile}; wait"], TimeSpan.FromSeconds(5)), Ct).AsTask();
        var grandchild = await WaitForPidAsync(pidFile);

        time.Advance(TimeSpan.FromSeconds(5));

        var timedOut = await Assert.ThrowsAsync<CommandTimeoutException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal("/bin/sh did not finish within 5 s", timedOut.Message);
        await UntilGoneAsync(grandchild);
    }

    [Fact]
    public async Task A_command_that_exits_0_leaves_no_background_children_running()
    {
        var pidFile = PidFile("background.pid");
        var result = await new ProcessCommandRunner().RunAsync(
            new(["/bin/sh", "-c", $"sleep 300 & echo $! > {pidFile}; exit 0"], TimeSpan.FromSeconds(30)), Ct);
        var background = int.Parse(await File.ReadAllTextAsync(pidFile, Ct), CultureInfo.InvariantCulture);

        Assert.Equal(0, result.ExitCode);
        await UntilGoneAsync(background);
    }

    [Fact]
    public async Task The_timeout_is_measured_on_the_time_provider_not_the_wall_clock()
    {
        var time = new FakeTimeProvider();
        var run = new ProcessCommandRunner(time).RunAsync(new(["/bin/sh", "-c", "sleep 2; echo done"], TimeSpan.FromMilliseconds(100)), Ct).AsTask();

        // 2 s of real time are far past the timeout, but the fake clock has not moved: the command finishes.
        var result = await run.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.Equal((0, "done\n"), (result.ExitCode, result.Output));

        var hanging = new ProcessCommandRunner(time).RunAsync(new(["/bin/sh", "-c", "exec sleep 300"], TimeSpan.FromMilliseconds(100)), Ct).AsTask();
        await Task.Delay(300, Ct);
        Assert.False(hanging.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<CommandTimeoutException>(() => hanging.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task Output_beyond_the_limit_is_read_and_dropped()
    {
        // 1 MiB on each stream: more than a pipe holds, so the command would block if the rest were not drained.
        var result = await new ProcessCommandRunner().RunAsync(
            new(["/bin/sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' a; head -c 1048576 /dev/zero | tr '\\0' b >&2; echo end"], TimeSpan.FromSeconds(30))
            {
                OutputLimitBytes = 1000,
            }, Ct);

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.Truncated);
        Assert.Equal(new string('a', 1000), result.Output);
        Assert.Equal(new string('b', 1000), result.Error);
    }

    [Fact]
    public async Task Input_is_written_to_stdin_and_without_input_stdin_is_empty()
    {
        var runner = new ProcessCommandRunner();

        var fed = await runner.RunAsync(new(["/bin/sh", "-c", "tr a-z A-Z"], TimeSpan.FromSeconds(30)) { Input = Encoding.UTF8.GetBytes("hello\nworld\n") }, Ct);
        var empty = await runner.RunAsync(new(["/bin/sh", "-c", "wc -c"], TimeSpan.FromSeconds(30)), Ct);

        Assert.Equal("HELLO\nWORLD\n", fed.Output);
        Assert.Equal("0", empty.Output.Trim());
    }

    [Fact]
    public async Task A_given_environment_is_all_the_command_gets()
    {
        Environment.SetEnvironmentVariable("REBOUND_TEST_RUNNER_SECRET", "s3cr3t");
        try
        {
            var runner = new ProcessCommandRunner();
            var env = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["ONLY"] = "this" };

            var given = await runner.RunAsync(new(["env"], TimeSpan.FromSeconds(30)) { Environment = env }, Ct);
            var inherited = await runner.RunAsync(new(["env"], TimeSpan.FromSeconds(30)), Ct);

            Assert.Equal(["ONLY=this", "PATH=/usr/bin:/bin"], given.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
            Assert.Contains("REBOUND_TEST_RUNNER_SECRET=s3cr3t", inherited.Output.Split('\n'));
        }
        finally
        {
            Environment.SetEnvironmentVariable("REBOUND_TEST_RUNNER_SECRET", null);
        }
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_a_one_line_start_exception()
    {
        var runner = new ProcessCommandRunner();

        var missing = await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync(new(["/nonexistent/tool"], TimeSpan.FromSeconds(5)), Ct).AsTask());
        var notInPath = await Assert.ThrowsAsync<CommandStartException>(
            () => runner.RunAsync(new(["no-such-tool-here"], TimeSpan.FromSeconds(5)) { Environment = new Dictionary<string, string> { ["PATH"] = _dir.FullName } }, Ct).AsTask());

        Assert.Equal("cannot run /nonexistent/tool: No such file or directory", missing.Message);
        Assert.Equal("cannot run no-such-tool-here: not found in PATH", notInPath.Message);
    }

    [Fact]
    public async Task A_command_runs_in_its_own_session_with_default_signal_handling()
    {
        // $$'s session id is its own pid; SIGPIPE (ignored by the runtime) is back to its default: no "ignored" bit in SigIgn.
        var result = await new ProcessCommandRunner().RunAsync(
            new(["/bin/sh", "-c", "echo $$; cut -d' ' -f6 /proc/$$/stat; grep SigIgn /proc/self/status"], TimeSpan.FromSeconds(30)), Ct);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(lines[0], lines[1]);
        var ignored = ulong.Parse(lines[2].Split(':')[1].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(0UL, ignored & (1UL << (13 - 1))); // SIGPIPE is 13
    }

    private static async Task<int> WaitForPidAsync(string file)
    {
        for (var i = 0; i < 600; i++)
        {
            if (File.Exists(file))
                return int.Parse((await File.ReadAllTextAsync(file, Ct)).Trim(), CultureInfo.InvariantCulture);
            await Task.Delay(50, Ct);
        }

        throw new TimeoutException("the command never started");
    }

    /// <summary>Gone or a zombie within 15 s (a reparented zombie is reaped by whoever adopted it, in its own time).</summary>
    private static async Task UntilGoneAsync(int pid)
    {
        for (var i = 0; i < 300; i++)
        {
            if (IsGone(pid))
                return;
            await Task.Delay(50, Ct);
        }

        Assert.Fail($"process {pid} is still running");
    }

    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is 'Z' or 'X' or 'x';
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }
    }

    /// <summary>Gone, a zombie, or with SIGKILL (signal 9, bit 8) pending: killing is synchronous, dying is not.</summary>
    private static bool IsDyingOrGone(int pid)
    {
        try
        {
            if (IsGone(pid))
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
