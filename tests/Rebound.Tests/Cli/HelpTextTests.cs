using System.CommandLine;
using System.Text.RegularExpressions;
using Rebound.Cli;

namespace Rebound.Tests.Cli;

/// <summary>
/// Every command's --help reads like a man page. The commands are taken from the real command tree, so a
/// command added without a summary, exit codes, examples or option descriptions fails here.
/// </summary>
public sealed class HelpTextTests
{
    private const int MaxLineLength = 100;

    public static TheoryData<string> LeafCommands() => [.. Walk(Root(), []).Where(c => c.Command.Subcommands.Count == 0).Select(c => c.Path)];

    public static TheoryData<string> GroupCommands() => [.. Walk(Root(), []).Where(c => c.Command.Subcommands.Count > 0).Select(c => c.Path)];

    [Fact]
    public void The_tree_has_every_documented_command()
    {
        var leaves = LeafCommands().Select(row => row.Data).ToList();

        Assert.Superset(
            new HashSet<string> { "probe", "watch", "run", "check-config", "ddns update", "events", "status", "tune" },
            leaves.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(LeafCommands))]
    public async Task Every_command_has_a_man_page_help(string path)
    {
        var command = Find(path);
        var help = await HelpAsync(path);

        var description = command.Description ?? "";
        var lines = description.Split('\n');
        Assert.True(lines.Length >= 3 && lines[0].Trim().Length > 0 && lines[1].Trim().Length == 0,
            $"{path}: the description starts with a one-line summary and a blank line");
        Assert.Matches(new Regex(@"^  Exit codes", RegexOptions.Multiline), help);
        Assert.Matches(new Regex(@"^    0  ", RegexOptions.Multiline), help);
        Assert.Matches(new Regex(@"^    2  ", RegexOptions.Multiline), help);
        var examples = help[(help.IndexOf("\n  Examples:\n", StringComparison.Ordinal) is var at and >= 0 ? at : throw new Xunit.Sdk.XunitException($"{path}: no Examples: section"))..];
        var exampleLines = examples.Split('\n').TakeWhile(l => !l.StartsWith("Usage:", StringComparison.Ordinal)).Where(l => l.StartsWith("    ", StringComparison.Ordinal)).ToList();
        Assert.InRange(exampleLines.Count, 2, 6);
        Assert.Contains(exampleLines, l => l.Contains($"rebound {path}", StringComparison.Ordinal));
        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{path} {option.Name}: no description");
            Assert.Contains(option.Name, help, StringComparison.Ordinal);
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            Assert.False(string.IsNullOrWhiteSpace(argument.Description), $"{path} {argument.Name}: no description");
        }

        AssertFitsInColumns(path, help);
    }

    [Theory]
    [MemberData(nameof(GroupCommands))]
    public async Task A_command_with_subcommands_lists_each_by_its_summary_line(string path)
    {
        var command = path.Length == 0 ? Root() : Find(path);
        var help = await HelpAsync(path);

        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{path}': no description");
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            var summary = sub.Description?.Split('\n')[0].Trim() ?? "";
            Assert.False(summary.Length == 0, $"{path} {sub.Name}: no summary line");
            Assert.Matches(new Regex($@"^  {Regex.Escape(sub.Name)} +{Regex.Escape(summary)}$", RegexOptions.Multiline), help);
        }

        // Only the summary line: the rest of each page stays on the command's own --help.
        Assert.DoesNotContain("Examples:", help, StringComparison.Ordinal);
        Assert.Contains($"rebound {path} COMMAND --help".Replace("  ", " ", StringComparison.Ordinal), help, StringComparison.Ordinal);
        AssertFitsInColumns(path, help);
    }

    [Fact]
    public async Task Root_help_lists_every_command_and_points_to_the_readme()
    {
        var help = await HelpAsync("");

        foreach (var name in new[] { "probe", "watch", "run", "check-config", "ddns", "events", "status", "tune" })
        {
            Assert.Matches(new Regex($@"^  {Regex.Escape(name)} +\S", RegexOptions.Multiline), help);
        }

        Assert.Contains("README", help, StringComparison.Ordinal);
        Assert.Contains("--version", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_help_documents_signals_and_files()
    {
        var help = await HelpAsync("run");

        Assert.Matches(new Regex(@"^    SIGINT, SIGTERM +stop", RegexOptions.Multiline), help);
        Assert.Matches(new Regex(@"^    SIGHUP +reload", RegexOptions.Multiline), help);
        foreach (var file in new[] { "/etc/rebound/rebound.toml", "journal.db", "status.json", "heal-state.json", "ddns-cache.json", "/run/rebound/control.sock" })
        {
            Assert.Contains(file, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_works_without_the_required_options()
    {
        var cli = new CliHarness();

        Assert.Equal(0, await cli.RunAsync("ddns", "update", "-h"));
        Assert.Contains("Usage:", cli.Out, StringComparison.Ordinal);
        Assert.Empty(cli.ErrLines);
    }

    private static async Task<string> HelpAsync(string path)
    {
        var cli = new CliHarness();
        var exit = await cli.RunAsync([.. path.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(0, exit);
        Assert.Empty(cli.ErrLines);
        Assert.Contains("Description:", cli.Out, StringComparison.Ordinal);
        return cli.Out.ReplaceLineEndings("\n");
    }

    private static void AssertFitsInColumns(string path, string help)
    {
        var tooLong = help.Split('\n').Where(l => l.TrimEnd().Length > MaxLineLength).ToList();
        Assert.True(tooLong.Count == 0, $"'{path}' --help has lines over {MaxLineLength} columns:\n{string.Join('\n', tooLong)}");
    }

    private static RootCommand Root() => ReboundCli.CreateRoot(new CliHarness().Services());

    private static Command Find(string path) =>
        Walk(Root(), []).Single(c => c.Path == path).Command;

    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string[] names)
    {
        yield return (string.Join(' ', names), command);
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var found in Walk(sub, [.. names, sub.Name]))
            {
                yield return found;
            }
        }
    }
}
