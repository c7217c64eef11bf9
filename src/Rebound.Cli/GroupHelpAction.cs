using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Rebound.Cli;

/// <summary>
/// Help for commands that have subcommands (the root, <c>ddns</c>): lists each subcommand by the first
/// line of its description only, because every description is a whole man page (summary, details, exit
/// codes, files, examples) that the default layout would repeat in full. Leaf commands get the default help.
/// </summary>
internal sealed class GroupHelpAction(SynchronousCommandLineAction standard) : SynchronousCommandLineAction
{
    /// <summary>
    /// Installs the action on the root's (recursive) help option, and makes it the action of every command
    /// that only groups others: `rebound` or `rebound ddns` alone lists its commands and exits 0.
    /// </summary>
    public static RootCommand Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is SynchronousCommandLineAction standard)
        {
            var action = new GroupHelpAction(standard);
            help.Action = action;
            foreach (var group in Groups(root).Where(c => c.Action is null))
            {
                group.SetAction(action.Invoke); // unlike --help, it must not hide parse errors (`rebound --bogus`)
            }
        }

        return root;
    }

    private static IEnumerable<Command> Groups(Command command) =>
        command.Subcommands.Count == 0 ? [] : command.Subcommands.SelectMany(Groups).Prepend(command);

    private const int MaxWidth = 100;

    /// <summary>Like the standard help: '--help' works even when a required option is missing.</summary>
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        try
        {
            return Write(parseResult);
        }
        catch (IOException ex)
        {
            // Help goes to stdout only; its reader left early (`rebound --help | head -1`).
            throw new StdoutClosedException(ex);
        }
    }

    private int Write(ParseResult parseResult)
    {
        var command = parseResult.CommandResult.Command;
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        if (subcommands.Count == 0)
        {
            if (standard is HelpAction help)
            {
                // Man-page width: the descriptions are written for 100 columns; a narrower terminal wraps them.
                help.MaxWidth = Console.IsOutputRedirected ? MaxWidth : Math.Clamp(Console.WindowWidth, 40, MaxWidth);
            }

            return standard.Invoke(parseResult);
        }

        var output = parseResult.InvocationConfiguration.Output;
        var path = string.Join(' ', Path(parseResult.CommandResult));
        output.WriteLine("Description:");
        foreach (var line in (command.Description ?? "").TrimEnd().Split('\n'))
        {
            output.WriteLine(line.Length == 0 ? "" : "  " + line.TrimEnd());
        }

        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {path} COMMAND [options]");
        output.WriteLine();
        output.WriteLine("Options:");
        var options = command.Options.Concat(Ancestors(command).SelectMany(a => a.Options.Where(o => o.Recursive)))
            .Where(o => !o.Hidden)
            .Select(o => (Name: string.Join(", ", o.Aliases.Where(a => a.StartsWith('-')).Append(o.Name).OrderBy(a => a.Length).ThenBy(a => a, StringComparer.Ordinal)), o.Description ?? ""))
            .ToList();
        WriteColumns(output, options);
        output.WriteLine();
        output.WriteLine("Commands:");
        WriteColumns(output, [.. subcommands.Select(c => (c.Name, Summary(c)))]);
        output.WriteLine();
        output.WriteLine($"Run '{path} COMMAND --help' for a command's details, exit codes, files and examples.");
        return ExitCodes.Success;
    }

    /// <summary>The first line of a command's description: its one-line summary.</summary>
    public static string Summary(Command command) =>
        (command.Description ?? "").TrimStart().Split('\n', 2)[0].TrimEnd();

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return parent;
        }
    }

    private static void WriteColumns(TextWriter output, List<(string Name, string Text)> rows)
    {
        var width = rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length) + 2;
        foreach (var (name, text) in rows)
        {
            output.WriteLine($"  {name.PadRight(width)}{text}".TrimEnd());
        }
    }

    private static Stack<string> Path(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(r.Command is RootCommand ? "rebound" : r.Command.Name);
        }

        return names;
    }
}
