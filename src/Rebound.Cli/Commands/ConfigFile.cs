using System.CommandLine;
using Rebound.Configuration;

namespace Rebound.Cli.Commands;

/// <summary>Loading the configuration file for <c>run</c> and <c>check-config</c>: every problem is listed, one per line.</summary>
internal static class ConfigFile
{
    public static Option<string> Option() => new("--config", "-c")
    {
        Description = "The TOML configuration file, usually /etc/rebound/rebound.toml (see README: Configuration).",
        HelpName = "FILE",
        Required = true,
    };

    /// <summary>The valid configuration, or null after printing every problem to stderr.</summary>
    /// <param name="environmentElsewhere">
    /// True outside the agent (check-config, status, events, tune): an unset <c>*_env</c> secret is a warning, as the
    /// unit's Environment= sets it for the agent only; <c>run</c> passes false and refuses to start without it.
    /// </param>
    public static ReboundConfig? Load(string path, CliServices services, bool environmentElsewhere = false) =>
        Load(path, services, out _, environmentElsewhere);

    /// <summary>As above; <paramref name="problems"/> gets the lines printed, for a journaled event that must name them too.</summary>
    public static ReboundConfig? Load(string path, CliServices services, out IReadOnlyList<string> problems, bool environmentElsewhere = false)
    {
        var result = ConfigLoader.Load(path, environmentElsewhere: environmentElsewhere);
        problems = [.. result.Problems.Select(p => p.ToString().ReplaceLineEndings(" "))];
        foreach (var warning in result.Warnings)
        {
            services.Stderr.WriteLine($"rebound: warning: {warning}");
        }

        if (result.IsValid)
        {
            return result.Config;
        }

        foreach (var problem in result.Problems)
        {
            services.Stderr.WriteLine($"rebound: {problem.ToString().ReplaceLineEndings(" ")}");
        }

        if (result.Problems.Count == 0)
        {
            services.Stderr.WriteLine($"rebound: {path}: not a valid configuration");
        }

        return null;
    }
}
