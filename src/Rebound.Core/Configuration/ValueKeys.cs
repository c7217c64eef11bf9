namespace Rebound.Configuration;

/// <summary>A duration in the one grammar (<see cref="ConfigDuration"/>), in the range its use allows.</summary>
public sealed class DurationKey(string name, string doc) : ConfigKey(name, doc)
{
    public TimeSpan? Default { get; init; }

    public bool AllowZero { get; init; }

    /// <summary>The longest value this use accepts; null: <see cref="ConfigDuration.Longest"/>.</summary>
    public TimeSpan? Max { get; init; }

    public DurationRule Rule => new(AllowZero, Max ?? ConfigDuration.Longest);

    public override string Type => $"a duration{(AllowZero ? "" : " greater than zero")}{(Max is { } max ? $", at most {ConfigDuration.Format(max)}" : "")}";

    public override string? DefaultText => Default is { } value ? Toml(ConfigDuration.Format(value)) : null;

    /// <summary>The value, else the default (also after a problem, which is reported).</summary>
    internal TimeSpan? Read(ConfigSection s) => s.Duration(Name, Rule) ?? Default;
}

/// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>.</summary>
public sealed class IntegerKey(string name, string doc, int min, int max) : ConfigKey(name, doc)
{
    public int? Default { get; init; }

    public override string Type => max == int.MaxValue ? $"an integer of at least {min}" : $"an integer from {min} to {max}";

    public override string? DefaultText => Default?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal int? Read(ConfigSection s)
    {
        if (s.Integer(Name, min, max) is { } value)
            return (int)value;
        if (Required && s.Node(Name) is null)
            s.Problem(Name, $"{Type} (missing)");
        return Default;
    }
}

/// <summary><c>true</c> or <c>false</c>.</summary>
public sealed class BoolKey(string name, string doc, bool defaultValue) : ConfigKey(name, doc)
{
    public bool Default { get; } = defaultValue;

    public override string Type => "true or false";

    public override string? DefaultText => Default ? "true" : "false";

    internal bool Read(ConfigSection s) => s.Boolean(Name) ?? Default;
}

/// <summary>
/// A string. <see cref="Check"/> returns null for a good value, else what was expected (the problem adds "found …").
/// </summary>
public sealed class StringKey(string name, string doc, string expected) : ConfigKey(name, doc)
{
    /// <summary>What the value should be, for "expected …" when it has the wrong type or is missing.</summary>
    public string Expected { get; } = expected;

    public string? Default { get; init; }

    public Func<string, string?>? Check { get; init; }

    public override string Type => Expected;

    public override string? DefaultText => Default is null ? null : Toml(Default);

    /// <summary>The value, else the default; null when neither (a missing required key is reported).</summary>
    internal string? Read(ConfigSection s)
    {
        var text = s.String(Name, Expected);
        if (text is null)
        {
            if (Required && s.Node(Name) is null)
                s.Problem(Name, $"{Expected} (missing)");
            return s.Node(Name) is null ? Default : null;
        }

        if (Check?.Invoke(text) is { } problem)
        {
            s.Problem(Name, $"{problem}, found {ConfigReader.Clip(text)}");
            return null;
        }

        return text;
    }
}
