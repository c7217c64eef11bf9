namespace Rebound.Configuration;

/// <summary>
/// A command to run: an array of the program's absolute path and its arguments, run without a shell and without a
/// PATH search, so that what runs is exactly what the file says. No argument may hold a NUL character.
/// </summary>
public sealed class CommandKey : ConfigKey
{
    /// <param name="example">The argv shown in messages and in the sample configuration.</param>
    public CommandKey(string name, string doc, IReadOnlyList<string> example)
        : base(name, doc)
    {
        ArgumentNullException.ThrowIfNull(example);
        Example = Toml(example);
    }

    public override string Type => "a command as an array: the program's absolute path, then its arguments (no shell)";

    /// <summary>The argv, or null when absent or wrong (reported).</summary>
    internal IReadOnlyList<string>? Read(ConfigSection s)
    {
        if (s.Strings(Name, $"a command as an array like {Example}") is not { } argv)
            return null;
        if (!Path.IsPathRooted(argv[0].Text))
        {
            s.Problem(argv[0].Node, Name, $"the program's absolute path first (no shell, no PATH lookup), found {ConfigReader.Clip(argv[0].Text)}");
            return null;
        }

        if (argv.Any(a => a.Text.Contains('\0', StringComparison.Ordinal)))
        {
            s.Problem(Name, "arguments without NUL characters");
            return null;
        }

        return [.. argv.Select(a => a.Text)];
    }
}
