namespace Rebound.Act.Commands;

/// <summary>One program to run: argv (no shell), a time limit, and what it gets.</summary>
/// <param name="Argv">The program (a path, or a name looked up in the PATH it gets) and its arguments.</param>
/// <param name="Timeout">After this, measured on the runner's <see cref="TimeProvider"/>, it is killed with its process group
/// (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: only the caller's cancellation ends it).</param>
public sealed record CommandRequest(IReadOnlyList<string> Argv, TimeSpan Timeout)
{
    public const int DefaultOutputLimitBytes = 1 << 20;

    /// <summary>Written to its stdin, which is then closed; null: stdin is /dev/null.</summary>
    public ReadOnlyMemory<byte>? Input { get; init; }

    /// <summary>Its whole environment; null: the agent's own. Also where a bare program name is looked up (PATH).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Its working directory; null: the agent's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Bytes kept of stdout and of stderr each; the rest is read and dropped, so the program never blocks on a full pipe.</summary>
    public int OutputLimitBytes { get; init; } = DefaultOutputLimitBytes;
}
