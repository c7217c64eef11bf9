namespace Rebound.Tests.Cli;

/// <summary>
/// `rebound` typed alone, and its help read only in part: what a shell user sees from the built CLI as a
/// real process (stdout a pipe that closes early, exit codes through the shell).
/// </summary>
public sealed class CommandAloneProcessTests
{
    private static string ReboundDll => Path.Combine(AppContext.BaseDirectory, "rebound.dll");

    private static async Task<(string Stdout, string Stderr)> RunShellAsync(string script)
    {
        var (_, stdout, stderr) = await CliProcessTests.RunShellAsync(script);
        return (stdout, stderr);
    }

    [Theory]
    [InlineData("", "rebound COMMAND [options]", "check-config")]
    [InlineData("ddns", "rebound ddns COMMAND [options]", "update")]
    public async Task A_command_alone_lists_its_commands_on_stdout_and_exits_0(string args, string usage, string listed)
    {
        var (stdout, stderr) = await RunShellAsync($"dotnet '{ReboundDll}' {args}; echo \"exit=$?\"");

        Assert.Contains(usage, stdout, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^  {listed} +\S", stdout);
        Assert.EndsWith("exit=0\n", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Theory]
    [InlineData("--help", "head -1", "Description:\n")]
    [InlineData("", "head -1", "Description:\n")]
    [InlineData("run --help", "head -1", "Description:\n")]
    [InlineData("--help", "true", "")]
    [InlineData("ddns", "true", "")]
    public async Task Help_whose_reader_leaves_early_exits_0_and_says_nothing_on_stderr(string args, string reader, string expected)
    {
        // head exits after one line, true before the first: later writes of the help meet a closed pipe (EPIPE).
        var (stdout, stderr) = await RunShellAsync($"dotnet '{ReboundDll}' {args} | {reader}; echo \"exit=${{PIPESTATUS[0]}}\"");

        Assert.Equal(expected + "exit=0\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task An_unknown_option_is_still_an_error_and_not_the_command_list()
    {
        var (stdout, stderr) = await RunShellAsync($"dotnet '{ReboundDll}' --bogus; echo \"exit=$?\"; dotnet '{ReboundDll}' ddns --bogus; echo \"exit=$?\"");

        Assert.Equal("exit=2\nexit=2\n", stdout);
        Assert.Equal(2, stderr.Split('\n').Count(l => l.StartsWith("rebound: Unrecognized command or argument '--bogus'", StringComparison.Ordinal)));
    }
}
