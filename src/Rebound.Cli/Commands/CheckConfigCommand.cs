using System.CommandLine;
using Rebound.Configuration;

namespace Rebound.Cli.Commands;

/// <summary><c>rebound check-config FILE</c>: validates without running anything.</summary>
internal static class CheckConfigCommand
{
    public static Command Create(CliServices services)
    {
        var file = new Argument<string>("FILE") { Description = "The TOML configuration file to check." };
        var command = new Command("check-config", "Check a configuration file without running anything: every problem is listed with file:line, key and what was expected (exit 2); a valid file prints a summary (exit 0).")
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
