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
    public static ReboundConfig? Load(string path, CliServices services) => Load(path, services, out _);

    /// <summary>The same; <paramref name="problems"/> is every problem, one line each (for the journal's config-rejected).</summary>
    public static ReboundConfig? Load(string path, CliServices services, out IReadOnlyList<string> problems)
    {
        var result = ConfigLoader.Load(path);
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
