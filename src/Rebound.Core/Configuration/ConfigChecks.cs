namespace Rebound.Configuration;

/// <summary>
/// Checks shared by several keys (for <see cref="StringKey.Check"/> and <see cref="NameListKey"/>): each returns null
/// for a good value, else what was expected.
/// </summary>
public static class ConfigChecks
{
    /// <summary>A Linux interface name: 1-15 characters, none of them '/', ':', white space or NUL (the kernel's rule).</summary>
    public static string? InterfaceName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length is 0 or > 15 || text is "." or ".." || text.Any(c => c is '/' or ':' or '\0' || char.IsWhiteSpace(c))
            ? "an interface name (1-15 characters, no '/', ':' or spaces)"
            : null;
    }

    /// <summary>An absolute path (a relative one would depend on the service's working directory).</summary>
    public static string? AbsolutePath(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Path.IsPathRooted(text) && !text.Contains('\0', StringComparison.Ordinal) ? null : "an absolute path";
    }
}
