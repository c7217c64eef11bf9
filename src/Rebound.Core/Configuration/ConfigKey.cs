namespace Rebound.Configuration;

/// <summary>
/// One key of a configuration table as its definition declares it: name, what it holds, default and a one-line
/// description. The reader, the list of known keys, the sample configuration and the README's key lists all come from
/// these, so a key is declared once. Typed kinds (<see cref="DurationKey"/>, <see cref="SecretKey"/>, …) also read it.
/// </summary>
public abstract class ConfigKey(string name, string doc)
{
    public string Name { get; } = name;

    /// <summary>One line for the sample configuration and the man page, without a final full stop.</summary>
    public string Doc { get; } = doc;

    /// <summary>A missing required key is a problem "(missing)".</summary>
    public bool Required { get; init; }

    /// <summary>What the value is, e.g. "a duration, at most 10m" or "true or false".</summary>
    public abstract string Type { get; }

    /// <summary>The default as it would be written in the file (TOML); null when there is none.</summary>
    public virtual string? DefaultText => null;

    /// <summary>What the sample configuration shows (TOML) when it should not be the default.</summary>
    public string? Example { get; init; }

    /// <summary>The keys of the file this one stands for: its name, or for a secret NAME, NAME_file and NAME_env.</summary>
    public virtual IReadOnlyList<string> FileKeys => [Name];

    /// <summary>The line the sample configuration shows for this key (then commented out or not).</summary>
    public virtual string SampleLine => $"{Name} = {Example ?? DefaultText ?? throw new InvalidOperationException($"{Name}: no example and no default")}";

    /// <summary>A TOML basic string.</summary>
    public static string Toml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return $"\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }

    /// <summary>A TOML array of strings.</summary>
    public static string Toml(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(Toml))}]";
}

/// <summary>A key whose reading is particular to its table (provider names, record names, endpoints): declared for docs and known keys.</summary>
public sealed class CustomKey(string name, string doc, string type) : ConfigKey(name, doc)
{
    public override string Type => type;

    /// <summary>The default as TOML, when there is one.</summary>
    public string? Default { get; init; }

    public override string? DefaultText => Default;
}
