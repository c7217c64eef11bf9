using System.CommandLine;
using Rebound.Configuration;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound check-config FILE</c>: validates without running anything.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(CliServices services)
    {
        var file = new Argument<string>("FILE") { Description = "The TOML configuration file to check, e.g. /etc/rebound/rebound.toml." };
        var command = new Command("check-config", """
            Check a configuration file without running anything.

            Reads FILE as 'rebound run' would and lists every problem, one per line on stderr, as
            FILE:LINE: KEY: expected ... Unknown keys are problems too, so a typo never silently disables
            something. A valid file prints 'FILE: ok' and a summary of what it configures, without secrets.
            Warnings (e.g. a key file readable by group or others) go to stderr and do not fail the check.
            No server is contacted and no record is sent. Run it before starting or reloading the agent
            (SIGHUP rejects an invalid file the same way).

            Exit codes:
              0  the file is valid (summary on stdout)
              1  a runtime failure
              2  the file has problems (one line each on stderr) or cannot be read, or a bad option

            Files:
              /etc/rebound/rebound.toml   the usual configuration file

            Examples:
              rebound check-config /etc/rebound/rebound.toml
              rebound check-config new.toml && sudo install -m 640 new.toml /etc/rebound/rebound.toml
            """)
        {
            file,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var config = ConfigFile.Load(path, services);
            if (config is null)
            {
                return ExitCodes.BadInput;
            }

            using var text = new StreamWriter(services.Stdout, leaveOpen: true);
            text.WriteLine($"{path}: ok");
            foreach (var line in ConfigSummary.Describe(config))
            {
                text.WriteLine($"  {line}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
