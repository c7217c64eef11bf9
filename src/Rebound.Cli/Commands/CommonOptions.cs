using System.CommandLine;
using System.CommandLine.Parsing;
using Rebound.Configuration;
using Rebound.Sense.Sources;

namespace Rebound.Cli.Commands;

/// <summary>Options shared by <c>probe</c> and <c>watch</c>, validated while parsing so bad input exits 2.</summary>
internal static class CommonOptions
{
    public static Option<List<AddressSourceSpec>> Servers() => new("--server", "-s")
    {
        Description = "Address source: STUN as HOST, HOST:PORT, [IPV6]:PORT or stun:HOST:PORT (port 3478 if omitted); "
            + "http(s)://URL (an echo of the caller's address); dns:NAME@SERVER[/A|/AAAA|/TXT][/CH] (a whoami); "
            + "natpmp[:GATEWAY] or upnp:URL (gateway hints, never decisive). Repeat for several. "
            + "Default: stun.l.google.com:19302, stun.cloudflare.com:3478 and https://api.ipify.org/.",
        HelpName = "SOURCE",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = ParseServers,
    };

    public static Option<bool> Json(string description = "Print JSON Lines instead of text: one object per event, flushed as it happens.") => new("--json")
    {
        Description = description,
    };

    /// <summary>
    /// A duration option in the one grammar (<see cref="ConfigDuration"/>; a bare number is seconds), within
    /// <paramref name="rule"/> (default: more than zero, at most a day); null when not given (the description names the default).
    /// </summary>
    public static Option<TimeSpan?> Duration(string name, string description, DurationRule? rule = null) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = result => ParseDuration(result, rule ?? DurationRule.CommandLine),
    };

    public static Option<int> Count(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, out var n) && n is >= 1 and <= 100)
            {
                return n;
            }

            result.AddError($"{OptionName(result)}: '{text}' must be a whole number from 1 to 100");
            return 0;
        },
    };

    private static List<AddressSourceSpec> ParseServers(ArgumentResult result)
    {
        var targets = new List<AddressSourceSpec>();
        foreach (var token in result.Tokens)
        {
            if (AddressSourceSpec.TryParse(token.Value, out var target, out var error))
            {
                targets.Add(target!);
            }
            else
            {
                result.AddError($"--server {error}");
                return [];
            }
        }

        return targets;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result, DurationRule rule)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (ConfigDuration.TryParse(text, rule, out var value, out var expected))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: expected {expected}, found '{text}'");
        return default;
    }

    private static string OptionName(ArgumentResult result) =>
        (result.Parent as OptionResult)?.Option.Name ?? "value";
}
