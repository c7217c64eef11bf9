namespace Rebound.Act.Commands;

/// <summary>How a program ended and what it printed (each stream cut at the request's output limit).</summary>
/// <param name="ExitCode">Its exit code; 128 + the signal number when a signal ended it.</param>
public sealed record CommandResult(int ExitCode, string Output, string Error, bool Truncated)
{
    /// <summary>The first non-empty line of stderr, trimmed; empty when there is none.</summary>
    public string FirstErrorLine =>
        Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
}
