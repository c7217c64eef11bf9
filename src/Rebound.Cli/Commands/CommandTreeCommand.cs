using System.CommandLine;
using System.CommandLine.Completions;
using System.Text.Json;

namespace Rebound.Cli.Commands;

/// <summary>
/// <c>rebound command-tree</c> (hidden): the command tree as one JSON object, with the very descriptions
/// <c>--help</c> prints. packaging/docs generates the rebound(8) manual page and the shell completions from
/// it, so neither can drift from the binary they ship with.
/// </summary>
internal static class CommandTreeCommand
{
    public static Command Create(CliServices services)
    {
        var command = new Command("command-tree", "Print the command tree as JSON (for generating manual pages and completions).")
        {
            Hidden = true,
        };
        command.SetAction(parse =>
        {
            using var json = new Utf8JsonWriter(services.Stdout, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("version", ReboundVersion.Text);
            json.WriteStartArray("commands");
            Write(json, parse.RootCommandResult.Command, "rebound", []);
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            services.Stdout.Write("\n"u8);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One command, then its visible subcommands depth first; <paramref name="inherited"/> are the recursive options of its ancestors.</summary>
    private static void Write(Utf8JsonWriter json, Command command, string path, IReadOnlyList<Option> inherited)
    {
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        json.WriteStartObject();
        json.WriteString("path", path);
        json.WriteString("summary", GroupHelpAction.Summary(command));
        json.WriteString("description", (command.Description ?? "").Trim().ReplaceLineEndings("\n"));
        json.WriteStartArray("subcommands");
        foreach (var sub in subcommands)
        {
            json.WriteStringValue(sub.Name);
        }

        json.WriteEndArray();
        json.WriteStartArray("arguments");
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            json.WriteStartObject();
            json.WriteString("name", argument.Name);
            json.WriteString("description", argument.Description ?? "");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("options");
        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            WriteOption(json, option, inherited: false);
        }

        foreach (var option in inherited)
        {
            WriteOption(json, option, inherited: true);
        }

        json.WriteEndArray();
        json.WriteEndObject();

        var passedOn = inherited.Concat(command.Options.Where(o => o.Recursive && !o.Hidden)).ToList();
        foreach (var sub in subcommands)
        {
            Write(json, sub, $"{path} {sub.Name}", passedOn);
        }
    }

    private static void WriteOption(Utf8JsonWriter json, Option option, bool inherited)
    {
        var takesValue = option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
        json.WriteStartObject();
        json.WriteStartArray("names");
        foreach (var name in option.Aliases.Append(option.Name).Where(a => a.StartsWith('-')).Distinct().OrderBy(a => a.Length).ThenBy(a => a, StringComparer.Ordinal))
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        if (takesValue)
        {
            json.WriteString("value", option.HelpName ?? "VALUE");
            json.WriteStartArray("choices");
            foreach (var choice in option.GetCompletions(CompletionContext.Empty))
            {
                json.WriteStringValue(choice.Label);
            }

            json.WriteEndArray();
        }
        else
        {
            json.WriteNull("value");
        }

        json.WriteBoolean("required", option.Required);
        json.WriteBoolean("repeatable", option.Arity.MaximumNumberOfValues > 1);
        json.WriteBoolean("inherited", inherited);
        json.WriteString("description", option.Description ?? "");
        json.WriteEndObject();
    }
}
