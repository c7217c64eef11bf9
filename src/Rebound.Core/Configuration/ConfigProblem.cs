namespace Rebound.Configuration;

/// <summary>
/// One thing wrong with the configuration file. <see cref="Line"/> and <see cref="Column"/> are 1-based;
/// <see cref="Key"/> is the dotted path (<c>ddns[1].names</c>); <see cref="Expected"/> says what would be right.
/// Never holds a secret.
/// </summary>
public sealed record ConfigProblem(string File, int Line, int Column, string Key, string Expected)
{
    public override string ToString() =>
        (Line > 0 ? $"{File}:{Line}: " : $"{File}: ") + (Key.Length == 0 ? Expected : $"{Key}: expected {Expected}");
}

/// <summary>Something that works but should be fixed (e.g. a secret file others can read). Never holds a secret.</summary>
public sealed record ConfigWarning(string File, int Line, string Key, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Key} {Message}";
}

/// <summary>Either a usable <see cref="Config"/> (when <see cref="Problems"/> is empty) or every problem found.</summary>
public sealed record ConfigResult(ReboundConfig? Config, IReadOnlyList<ConfigProblem> Problems, IReadOnlyList<ConfigWarning> Warnings)
{
    public bool IsValid => Config is not null && Problems.Count == 0;
}
