using System.Reflection;

namespace Rebound.Cli;

/// <summary>The version this binary was built as ("1.0.0", without the source revision suffix).</summary>
internal static class ReboundVersion
{
    public static string Text { get; } =
        (typeof(ReboundVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
