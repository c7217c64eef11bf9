using System.Runtime.Versioning;

namespace Rebound.Tests.Cli;

[SupportedOSPlatform("linux")]
public sealed class ConfigCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-cfg-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Theory]
    [InlineData("check-config")]
    [InlineData("run")]
    public async Task Every_problem_is_listed_with_file_and_line_and_exit_is_2(string command)
    {
        var path = Write("bad.toml", "[watch]\nservers = [\"203.0.113.10:99999\"]\ninterval = \"0s\"\n\n[[ddns]]\nprovider = \"nope\"\nnames = [\"gw.home.test\"]\n");
        var cli = new CliHarness();
        var exit = command == "run" ? await cli.RunAsync("run", "--config", path) : await cli.RunAsync("check-config", path);

        Assert.Equal(2, exit);
        var lines = cli.ErrLines;
        Assert.Contains(lines, l => l.StartsWith($"rebound: {path}:2: watch.servers:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"rebound: {path}:3: watch.interval:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"rebound: {path}:6: ddns[0].provider:", StringComparison.Ordinal));
        Assert.Equal(0, cli.Prober.Calls);
    }

    [Fact]
    public async Task A_valid_file_is_summarised_without_its_secrets()
    {
        const string Token = "s3cr3t-duck-token-value";
        var token = Write("duck.token", Token);
        var path = Write("ok.toml", $"[watch]\nservers = [\"203.0.113.10:3478\", \"203.0.113.11:3478\"]\ninterval = \"1s\"\n\n[[ddns]]\nprovider = \"duckdns\"\nnames = [\"myhome\"]\ntoken_file = \"{token}\"\n");
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("check-config", path));
        Assert.Contains($"{path}: ok", cli.Out, StringComparison.Ordinal);
        Assert.Contains("myhome.duckdns.org", cli.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, cli.Out + cli.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_one_line_and_exit_2()
    {
        var cli = new CliHarness();
        Assert.Equal(2, await cli.RunAsync("run", "--config", Path.Combine(_dir.FullName, "missing.toml")));
        Assert.Contains("does not exist", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sample_configuration_is_printed_from_the_definitions()
    {
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("check-config", "--sample"));
        Assert.Equal(Rebound.Configuration.SampleConfig.Text(), cli.Out);
        Assert.Empty(cli.ErrLines);
    }

    [Theory]
    [InlineData("check-config")]
    [InlineData("check-config", "--sample", "rebound.toml")]
    public async Task Check_config_needs_a_file_or_sample_but_not_both(params string[] args)
    {
        var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync(args));
        Assert.StartsWith("rebound: check-config: ", Assert.Single(cli.ErrLines), StringComparison.Ordinal);
        Assert.Empty(cli.Out);
    }

    [Fact]
    public async Task The_help_lists_the_tables_providers_and_heal_targets_the_registries_hold()
    {
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("check-config", "--help"));
        var help = string.Join(' ', cli.Out.Split('\n').Select(l => l.Trim()));
        foreach (var provider in Rebound.Act.Ddns.DdnsProviders.All)
            Assert.Contains(provider.Name, help, StringComparison.Ordinal);
        foreach (var table in Rebound.Configuration.ConfigSchema.Tables)
            Assert.Contains(table.Header, help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bracket_is_one_line_with_file_and_line_and_no_raw_bytes()
    {
        var path = Write("bracket.toml", "[watch]\nservers = [\"203.0.113.10:3478\"\n\n[state\ndirectory = \"/tmp\"\n");
        var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("check-config", path));
        var line = Assert.Single(cli.ErrLines);
        Assert.StartsWith($"rebound: {path}:", line, StringComparison.Ordinal);
        Assert.Contains("TOML syntax error", line, StringComparison.Ordinal);
        Assert.Contains("fix this line", line, StringComparison.Ordinal);
        Assert.DoesNotContain("token:", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\u2424', line);
        Assert.DoesNotContain(line, c => char.IsControl(c));
    }

    [Fact]
    public async Task A_directory_given_as_the_file_is_named_a_directory()
    {
        var cli = new CliHarness();

        Assert.Equal(2, await cli.RunAsync("check-config", _dir.FullName));
        var line = Assert.Single(cli.ErrLines);
        Assert.Contains("is a directory", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
    }

    // The unit's Environment= sets a *_env secret for the agent, not for the shell that runs check-config.
    [Fact]
    public async Task An_env_secret_unset_in_the_shell_is_a_note_for_check_config_but_run_refuses()
    {
        const string Variable = "REBOUND_TEST_UNSET_TOKEN_8F3A";
        Assert.Null(Environment.GetEnvironmentVariable(Variable));
        var path = Write("env.toml", $"[watch]\nservers = [\"203.0.113.10:3478\", \"203.0.113.11:3478\"]\n\n[[ddns]]\nprovider = \"duckdns\"\nnames = [\"myhome\"]\ntoken_env = \"{Variable}\"\n");

        var check = new CliHarness();
        Assert.Equal(0, await check.RunAsync("check-config", path));
        Assert.Contains($"{path}: ok", check.Out, StringComparison.Ordinal);
        var note = Assert.Single(check.ErrLines);
        Assert.StartsWith($"rebound: warning: {path}:7: ", note, StringComparison.Ordinal);
        Assert.Contains($"token_env names {Variable}, which is not set here: set in the service environment?", note, StringComparison.Ordinal);

        var run = new CliHarness();
        Assert.Equal(2, await run.RunAsync("run", "--config", path));
        Assert.Contains(run.ErrLines, l => l.Contains($"environment variable {Variable} to be set", StringComparison.Ordinal));
    }
}
