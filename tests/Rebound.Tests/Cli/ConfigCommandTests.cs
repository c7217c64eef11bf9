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
}
