using Tomlyn.Syntax;

namespace Rebound.Configuration;

/// <summary>
/// A password or token, given as exactly one of <c>NAME</c> (inline), <c>NAME_file</c> (a file holding it, relative
/// to the configuration's directory) or <c>NAME_env</c> (an environment variable). Its value never appears in a
/// message; an inline secret in a file others can read, or a secret file others can read, is warned about.
/// </summary>
public sealed class SecretKey : ConfigKey
{
    // Stands in for a *_env secret that is unset where the file is only checked; never sent anywhere.
    private const string NotSetHere = "(not set here)";

    private const UnixFileMode GroupOrOthersRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <param name="exampleFile">The <c>NAME_file</c> path the sample configuration shows.</param>
    public SecretKey(string name, string doc, string exampleFile)
        : base(name, doc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exampleFile);
        Example = Toml(exampleFile);
        FileKeys = [name, name + "_file", name + "_env"];
    }

    public override string Type => $"a secret: {Name} (inline), {Name}_file (a file, mode 0600) or {Name}_env (an environment variable)";

    public override IReadOnlyList<string> FileKeys { get; }

    public override string SampleLine => $"{Name}_file = {Example}";

    /// <summary>The secret, or null when absent or wrong (reported).</summary>
    internal Secret? Read(ConfigSection s)
    {
        var present = FileKeys.Where(k => s.Node(k) is not null).ToList();
        var choices = $"one of {Name}, {Name}_file or {Name}_env";
        if (present.Count == 0)
        {
            if (Required)
                s.Problem(Name, $"{choices} (missing)");
            return null;
        }

        if (present.Count > 1)
        {
            foreach (var extra in present.Skip(1))
                s.Problem(extra, $"only {choices}; {present[0]} is also set");
            foreach (var key in present)
                s.MarkUsed(key);
            return null;
        }

        var used = present[0];
        if (used == Name)
            return ReadInline(s);
        return used.EndsWith("_file", StringComparison.Ordinal) ? ReadFile(s, used) : ReadEnvironment(s, used);
    }

    private Secret? ReadInline(ConfigSection s)
    {
        // The value itself is never quoted back, whatever its type.
        if (s.String(Name, "a non-empty string") is not { Length: > 0 } inline)
        {
            if (s.Node(Name) is TomlValueNode { Syntax: StringValueSyntax })
                s.Problem(Name, "a non-empty string");
            return null;
        }

        if (s.Reader.ConfigFileMode is { } mode && (mode & GroupOrOthersRead) != 0)
        {
            s.Warn(Name, $"is written in {s.Reader.Path}, which is readable by group/others (mode {ConfigReader.Octal(mode)}); chmod 600 it or use {Name}_file");
        }

        return new Secret(inline, "inline");
    }

    private static Secret? ReadFile(ConfigSection s, string key)
    {
        var filePath = s.String(key, "the path of a file holding the secret");
        if (filePath is null || s.Reader.ReadSecretFile(s, key, filePath) is not { } content)
            return null;
        var trimmed = content.Trim();
        if (trimmed.Length == 0)
        {
            s.Problem(key, $"a secret in {filePath}, which is empty");
            return null;
        }

        return new Secret(trimmed, $"file {filePath}");
    }

    private static Secret? ReadEnvironment(ConfigSection s, string key)
    {
        var variable = s.String(key, "the name of an environment variable");
        if (variable is null)
            return null;
        var value = s.Reader.Environment(variable);
        if (string.IsNullOrWhiteSpace(value) && s.Reader.EnvironmentElsewhere)
        {
            // Checked from a shell, not under the unit: the agent's own environment decides, and `run` checks it at start.
            s.Warn(key, $"names {variable}, which is {(value is null ? "not set" : "empty")} here: set in the service environment? (Environment= or EnvironmentFile= in the unit; 'rebound run' refuses to start without it)");
            return new Secret(NotSetHere, $"env {variable} (not set here)");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            s.Problem(key, $"environment variable {variable} to be set and non-empty (it is {(value is null ? "not set" : "empty")})");
            return null;
        }

        return new Secret(value.Trim(), $"env {variable}");
    }
}
