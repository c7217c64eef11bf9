using System.Diagnostics;

namespace Rebound.Tests.Cli;

/// <summary>The built CLI as a real process: what a shell pipeline sees.</summary>
public sealed class CliProcessTests
{
    private static string ReboundDll => Path.Combine(AppContext.BaseDirectory, "rebound.dll");

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunShellAsync(string script)
    {
        using var p = Process.Start(new ProcessStartInfo("bash", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stdout = p.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = p.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }

        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Watch_stops_when_its_reader_goes_away()
    {
        // 127.0.0.1:9 (discard) never answers: "started", then "upstream-lost" is written into a closed pipe.
        var (exit, stdout, stderr) = await RunShellAsync(
            $"set -o pipefail; dotnet '{ReboundDll}' watch --server 127.0.0.1:9 --interval 1s --timeout 200ms --json | head -1; echo \"rebound=${{PIPESTATUS[0]}}\"");

        Assert.Contains("\"event\":\"started\"", stdout, StringComparison.Ordinal);
        Assert.Contains("rebound=0", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
        Assert.NotEqual(-1, exit);
    }

    [Fact]
    public async Task Output_appended_to_a_shared_file_does_not_overwrite_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"rebound-out-{Guid.NewGuid():N}.txt");
        try
        {
            // stdout and stderr share one descriptor and offset, as with `>> log 2>&1`.
            await RunShellAsync($"echo first > '{file}'; dotnet '{ReboundDll}' --help >> '{file}' 2>&1; dotnet '{ReboundDll}' --bogus >> '{file}' 2>&1; echo last >> '{file}'");
            var lines = await File.ReadAllLinesAsync(file, TestContext.Current.CancellationToken);

            Assert.Equal("first", lines[0]);
            Assert.Contains(lines, l => l.StartsWith("Usage:", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("rebound: Unrecognized command or argument '--bogus'", StringComparison.Ordinal));
            Assert.Equal("last", lines[^1]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("'@/'")]
    [InlineData("--bogus 2>&-")]
    [InlineData("watch --server $'a\\nb'")]
    public async Task Odd_input_never_prints_a_stack_trace(string args)
    {
        var (_, _, stderr) = await RunShellAsync($"dotnet '{ReboundDll}' {args}; echo \"exit=$?\" >&2");

        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("exit=2", lines[^1]);
        Assert.True(lines.Length <= 2, stderr);
    }
}
