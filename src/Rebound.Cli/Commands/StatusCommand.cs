using System.CommandLine;
using System.Text;
using System.Text.Json;
using Rebound.Cli.Agent;
using Rebound.Cli.Serve;
using Rebound.Configuration;
using Rebound.Record.Journal;
using Rebound.Record.Status;

namespace Rebound.Cli.Commands;

/// <summary>
/// <c>rebound status</c>: asks the running agent (control socket, else its localhost listener). When no
/// agent answers it says so, then shows the last state the agent saved and the newest journal events.
/// </summary>
internal static class StatusCommand
{
    /// <summary>Where the systemd unit's RuntimeDirectory puts the control socket.</summary>
    public const string DefaultControlSocket = "/run/rebound/" + HttpConfig.ControlSocketName;

    private const int RecentEvents = 10;

    public static Command Create(CliServices services)
    {
        var config = ConfigFile.Option();
        config.Required = false;
        config.Description = "The agent's configuration file: where its control socket, listener and state directory are. "
            + $"Default: the control socket {DefaultControlSocket}, else http://127.0.0.1:9464, and the state directory $STATE_DIRECTORY or {StateConfig.DefaultDirectory}.";
        var json = new Option<bool>("--json") { Description = "Print the status as one JSON object (the agent's /status.json)." };
        var command = new Command("status", $"""
            Show what the agent knows now: addresses, the last failover, each target's health.

            Prints the public address and upstream state per family, the last failover (when, what happened,
            time to detect, time to heal each target) and each target's health. The running agent is asked
            over its control socket (root or its group only) or, failing that, its localhost HTTP listener.
            If no agent answers, this says so on stderr and shows the state the agent last saved (status.json
            in the state directory) and the newest {RecentEvents} events of its journal.

            Exit codes:
              0  the agent answered
              1  the agent is not running (the saved state is shown, if any)
              2  bad option or configuration

            Files:
              /run/rebound/control.sock       the agent's control socket (default)
              /var/lib/rebound/status.json    the state the agent last saved
              /var/lib/rebound/journal.db     its event journal

            Examples:
              rebound status
              rebound status -c /etc/rebound/rebound.toml --json | jq .lastFailover
            """)
        {
            config, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (options, stateDirectory) = Locate(parse.GetValue(config), services);
            if (options is null)
            {
                return ExitCodes.BadInput;
            }

            var asJson = parse.GetValue(json);
            try
            {
                var answer = await AgentClient.GetAsync(options, asJson ? "status.json" : "status.txt", ct);
                Write(services.Stdout, answer.TrimEnd('\n') + "\n");
                return ExitCodes.Success;
            }
            catch (AgentUnreachableException ex)
            {
                await services.Stderr.WriteLineAsync($"rebound: the agent is not running ({PrintableText.Clean(ex.Message.ReplaceLineEndings(" "))})");
            }

            Write(services.Stdout, Offline(stateDirectory!, asJson));
            return ExitCodes.RuntimeFailure;
        });
        return command;
    }

    private static (AgentHttpServerOptions? Options, string? StateDirectory) Locate(string? configPath, CliServices services)
    {
        if (configPath is not null)
        {
            if (ConfigFile.Load(configPath, services, environmentElsewhere: true) is not { } loaded)
            {
                return (null, null);
            }

            // Outside systemd the file's control socket defaults to none; the service's is still the one to ask.
            var http = loaded.Http.ControlSocket is null && File.Exists(DefaultControlSocket)
                ? loaded.Http with { ControlSocket = DefaultControlSocket }
                : loaded.Http;
            return (AgentHttpServerOptions.From(http), loaded.State.Directory);
        }

        var socket = SystemdDirectories.Runtime(Environment.GetEnvironmentVariable) is { } runtime
            ? Path.Combine(runtime, HttpConfig.ControlSocketName)
            : DefaultControlSocket;
        return (AgentHttpServerOptions.From(HttpConfig.Default with { ControlSocket = socket }), EventsCommand.DefaultStateDirectory());
    }

    /// <summary>The saved status and the newest journal events, as text or one JSON object.</summary>
    private static string Offline(string stateDirectory, bool asJson)
    {
        var statusPath = Path.Combine(stateDirectory, StatusFile.FileName);
        StatusSnapshot? saved = null;
        string? savedProblem = null;
        try
        {
            saved = StatusJson.Parse(File.ReadAllText(statusPath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            savedProblem = ex is FileNotFoundException or DirectoryNotFoundException ? $"no saved state at {statusPath}" : $"{statusPath}: {ex.Message}";
        }

        IReadOnlyList<JournalEntry> recent = [];
        string? journalProblem = null;
        try
        {
            using var reader = JournalReader.Open(Path.Combine(stateDirectory, EventJournal.FileName));
            recent = reader.Query(null, null, RecentEvents);
        }
        catch (JournalException ex)
        {
            journalProblem = ex.Message.ReplaceLineEndings(" ");
        }

        if (asJson)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteBoolean("running", false);
                writer.WritePropertyName("saved");
                if (saved is null)
                    writer.WriteNullValue();
                else
                    writer.WriteRawValue(StatusJson.Serialize(saved), skipInputValidation: true);
                writer.WriteStartArray("recent");
                foreach (var e in recent)
                    writer.WriteRawValue(e.Json, skipInputValidation: true);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
        }

        var text = new StringBuilder();
        if (saved is not null)
        {
            text.Append("Last saved state (the agent is not running; this may be out of date):\n");
            text.Append(StatusText.Render(saved).TrimEnd('\n')).Append('\n');
        }
        else
        {
            text.Append(savedProblem).Append('\n');
        }

        text.Append('\n');
        if (journalProblem is not null)
        {
            text.Append("Journal: ").Append(journalProblem).Append('\n');
        }
        else
        {
            text.Append($"Newest {recent.Count} journal events:\n");
            foreach (var e in recent)
                text.Append("  ").Append(EventsCommand.Describe(e)).Append('\n');
        }

        return text.ToString();
    }

    private static void Write(Stream stdout, string text)
    {
        try
        {
            stdout.Write(Encoding.UTF8.GetBytes(text));
            stdout.Flush();
        }
        catch (IOException ex)
        {
            throw new StdoutClosedException(ex);
        }
    }
}
