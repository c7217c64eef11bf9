using System.CommandLine;
using System.Text;
using Rebound.Act.Ddns;
using Rebound.Act.Heal;
using Rebound.Configuration;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound check-config FILE</c>: validates without running anything; <c>--sample</c> prints the sample configuration.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(CliServices services)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The TOML configuration file to check, e.g. /etc/rebound/rebound.toml.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var sample = new Option<bool>("--sample")
        {
            Description = "Print the commented sample configuration (every table and key, with its default) instead.",
        };
        var command = new Command("check-config", $"""
            Check a configuration file without running anything.

            Reads FILE as 'rebound run' would and lists every problem, one per line on stderr, as
            FILE:LINE: KEY: expected ... Unknown keys are problems too, so a typo never silently disables
            something. A valid file prints 'FILE: ok' and a summary of what each table configures, without
            secrets. Warnings (e.g. a key file readable by group or others) go to stderr and do not fail the
            check. No server is contacted and no record is sent. Run it before starting or reloading the agent
            (SIGHUP rejects an invalid file the same way). A *_env secret is looked up in this shell; when it
            is unset here, that is a warning ("set in the service environment?"), not a failure, because the
            unit's Environment= or EnvironmentFile= sets it for the agent only; 'rebound run' refuses to start
            without it.

            {Tables()}

            Exit codes:
              0  the file is valid (summary on stdout)
              1  a runtime failure
              2  the file has problems (one line each on stderr) or cannot be read, or a bad option

            Files:
              /etc/rebound/rebound.toml   the usual configuration file

            Examples:
              rebound check-config /etc/rebound/rebound.toml
              rebound check-config new.toml && sudo install -m 640 new.toml /etc/rebound/rebound.toml
              rebound check-config --sample > rebound.toml
            """)
        {
            file, sample,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file);
            if (parse.GetValue(sample))
            {
                if (path is not null)
                {
                    throw new UsageException("check-config: --sample takes no FILE");
                }

                Write(services, SampleConfig.Text());
                return ExitCodes.Success;
            }

            if (path is null)
            {
                throw new UsageException("check-config: FILE is required (or --sample)");
            }

            var config = ConfigFile.Load(path, services, environmentElsewhere: true);
            if (config is null)
            {
                return ExitCodes.BadInput;
            }

            var text = new StringBuilder($"{path}: ok\n");
            foreach (var line in ConfigSummary.Describe(config))
            {
                text.Append("  ").Append(line).Append('\n');
            }

            Write(services, text.ToString());
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The tables, providers and heal targets, as their definitions name them.</summary>
    private static string Tables() => Wrap(
        $"Tables: {string.Join(", ", ConfigSchema.Tables.Select(t => t.Header))}. DNS providers (provider = ...): "
        + $"{string.Join(", ", DdnsProviders.All.Select(p => p.Name))}. Heal targets: {string.Join(", ", HealTargets.All.Select(t => t.Header))}. "
        + "'rebound check-config --sample' prints every key with its description and default.");

    private static string Wrap(string paragraph)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in paragraph.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 96)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        lines.Add(line.ToString());
        return string.Join('\n', lines);
    }

    private static void Write(CliServices services, string text)
    {
        try
        {
            services.Stdout.Write(Encoding.UTF8.GetBytes(text));
            services.Stdout.Flush();
        }
        catch (IOException ex)
        {
            throw new StdoutClosedException(ex);
        }
    }
}
