using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Json;
using Rebound.Configuration;
using Rebound.Record;
using Rebound.Record.Journal;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound events</c>: what the agent recorded, read straight from the journal file.</summary>
internal static class EventsCommand
{
    public static Command Create(CliServices services)
    {
        var config = ConfigFile.Option();
        config.Required = false;
        config.Description = "Read the state directory from this configuration file's [state] table.";
        var stateDirectory = new Option<string>("--state-directory")
        {
            Description = $"The state directory holding {EventJournal.FileName}. Default: the config's [state] directory, "
                + $"else $STATE_DIRECTORY (set by systemd), else {StateConfig.DefaultDirectory}.",
            HelpName = "DIR",
        };
        // A look back is naturally days ("7d"), longer than the day other command-line durations allow.
        var since = CommonOptions.Duration(
            "--since",
            "Only events from the last DURATION, e.g. 90s, 30m, 2h, 7d, 1h30m. Default: all that are kept.",
            DurationRule.CommandLine with { Max = ConfigDuration.Longest });
        var kinds = new Option<List<string>>("--kind", "-k")
        {
            Description = $"Only events of this kind (the JSON 'event' field): {string.Join(", ", EventCatalogue.Names)}. Repeat for several.",
            HelpName = "KIND",
            AllowMultipleArgumentsPerToken = false,
        };
        kinds.Validators.Add(CheckKinds);
        var limit = new Option<int?>("--limit", "-n")
        {
            Description = "Show only the newest N events (1 to 1000000). Default: every event the journal keeps.",
            HelpName = "N",
            CustomParser = ParseLimit,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print each event as the JSON object 'rebound run --json' printed for it, one per line.",
        };
        var command = new Command("events", """
            List the events the agent recorded in its journal, oldest first.

            Reads the journal 'rebound run' writes (journal.db, SQLite, in the state directory) and prints
            one line per event with its time, kind, target and main fields, or with --json the very JSON
            objects 'rebound run --json' printed. Safe to run while the agent writes.

            Exit codes:
              0  listed (possibly nothing matched)
              1  no journal yet, or it cannot be read
              2  bad option or configuration

            Files:
              /var/lib/rebound/journal.db   the journal (in the state directory; see --state-directory)

            Examples:
              rebound events --since 1h
              rebound events --kind public-address-changed --kind ddns-updated --limit 20
              rebound events -c /etc/rebound/rebound.toml --since 7d --json \
                | jq -c 'select(.name == "home.example.net")'
            """)
        {
            config, stateDirectory, since, kinds, limit, json,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(stateDirectory);
            if (directory is null && parse.GetValue(config) is { } configPath)
            {
                if (ConfigFile.Load(configPath, services, environmentElsewhere: true) is not { } loaded)
                {
                    return ExitCodes.BadInput;
                }

                directory = loaded.State.Directory;
            }

            directory ??= DefaultStateDirectory();
            var path = Path.Combine(directory, EventJournal.FileName);
            IReadOnlyList<JournalEntry> entries;
            try
            {
                using var reader = JournalReader.Open(path);
                var from = parse.GetValue(since) is { } window ? TimeProvider.System.GetUtcNow() - window : (DateTimeOffset?)null;
                entries = reader.Query(from, parse.GetValue(kinds), parse.GetValue(limit) ?? int.MaxValue);
            }
            catch (JournalException ex)
            {
                services.Stderr.WriteLine(ex.IsMissing
                    ? $"rebound: no event journal at {path} yet ('rebound run' creates it; see --state-directory and --config)"
                    : $"rebound: cannot read the event journal: {ex.Message.ReplaceLineEndings(" ")}");
                return ExitCodes.RuntimeFailure;
            }

            Write(services.Stdout, entries, parse.GetValue(json));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string DefaultStateDirectory() => SystemdDirectories.State(Environment.GetEnvironmentVariable);

    private static void Write(Stream stdout, IReadOnlyList<JournalEntry> entries, bool json)
    {
        try
        {
            using var text = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
            foreach (var entry in entries)
            {
                text.Write(json ? entry.Json : Describe(entry));
                text.Write('\n');
            }
        }
        catch (IOException ex)
        {
            throw new StdoutClosedException(ex);
        }
    }

    /// <summary>Time, kind, target, then the event's top-level fields as key=value (nested evidence is left to --json).</summary>
    internal static string Describe(JournalEntry entry)
    {
        var line = new StringBuilder();
        line.Append(EventTime.Format(entry.Time)).Append(' ').Append(entry.Kind);
        if (entry.Target is { Length: > 0 } target)
            line.Append(' ').Append(target);
        try
        {
            using var document = JsonDocument.Parse(entry.Json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return line.Append(' ').Append(entry.Json).ToString();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name is "time" or "event" || (property.Name == "target" && property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() == entry.Target))
                    continue;
                if (Scalar(property.Value) is { } value)
                    line.Append(' ').Append(property.Name).Append('=').Append(value);
            }
        }
        catch (JsonException)
        {
            line.Append(' ').Append(entry.Json.ReplaceLineEndings(" "));
        }

        return line.ToString();
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quote(value.GetString() ?? ""),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array when value.GetArrayLength() > 0 && value.EnumerateArray().All(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number) =>
            Quote(string.Join(",", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()))),
        _ => null,
    };

    private static string Quote(string text) =>
        text.Length > 0 && !text.Any(c => char.IsWhiteSpace(c) || c == '"' || char.IsControl(c))
            ? text
            : $"\"{JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";

    /// <summary>A kind this version does not emit would match nothing, silently: it is an error listing the kinds.</summary>
    private static void CheckKinds(OptionResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (EventCatalogue.Find(token.Value) is null)
            {
                result.AddError($"--kind: '{token.Value}' is not an event kind; one of {string.Join(", ", EventCatalogue.Names)}");
                return;
            }
        }
    }

    private static int? ParseLimit(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, out var n) && n is >= 1 and <= 1_000_000)
        {
            return n;
        }

        result.AddError($"--limit: '{text}' must be a whole number from 1 to 1000000");
        return 0;
    }
}
