namespace Rebound.Configuration;

/// <summary>
/// The directories systemd made for the service (StateDirectory=, RuntimeDirectory=). It passes them in
/// environment variables, several separated by ':'; the first is ours.
/// </summary>
public static class SystemdDirectories
{
    /// <summary>$STATE_DIRECTORY, else <see cref="StateConfig.DefaultDirectory"/>.</summary>
    public static string State(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return First(environment("STATE_DIRECTORY")) ?? StateConfig.DefaultDirectory;
    }

    /// <summary>$RUNTIME_DIRECTORY (e.g. /run/rebound), or null outside systemd.</summary>
    public static string? Runtime(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return First(environment("RUNTIME_DIRECTORY"));
    }

    private static string? First(string? value)
    {
        var first = value?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return string.IsNullOrWhiteSpace(first) ? null : first;
    }
}
