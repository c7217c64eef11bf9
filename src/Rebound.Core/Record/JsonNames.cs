using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Rebound.Record;

/// <summary>
/// The spelling of an enum value in JSON, metrics, hooks and the CLI, written on the value itself:
/// <c>[JsonName("flow-pinned")] FlowPinned</c>. The one place such a name lives.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class JsonNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Reads <see cref="JsonNameAttribute"/> names, both ways. An enum that uses them must name every value, each
/// differently; otherwise its first use throws (there is no fallback spelling to hide a forgotten value).
/// </summary>
public static class JsonNames
{
    /// <summary>The value's JSON name. Throws for a number that is not a declared value.</summary>
    public static string ToName<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum>(this TEnum value)
        where TEnum : struct, Enum =>
        Table<TEnum>.Names.TryGetValue(value, out var name)
            ? name
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a declared {typeof(TEnum).Name} value");

    /// <summary>The value spelled <paramref name="name"/> (exactly: names are lower case), if any.</summary>
    public static bool TryParse<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum>(string name, out TEnum value)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(name);
        return Table<TEnum>.Values.TryGetValue(name, out value);
    }

    /// <summary>Every name, in the order of the values (for "expected one of …" messages).</summary>
    public static IReadOnlyList<string> All<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum>()
        where TEnum : struct, Enum => Table<TEnum>.Ordered;

    private static class Table<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] TEnum>
        where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> Names = [];
        public static readonly Dictionary<string, TEnum> Values = new(StringComparer.Ordinal);
        public static readonly string[] Ordered;

        static Table()
        {
            foreach (var value in Enum.GetValues<TEnum>())
            {
                var member = Enum.GetName(value)!;
                var name = typeof(TEnum).GetField(member, BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<JsonNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{member} has no [JsonName]");
                if (name.Length == 0 || !Values.TryAdd(name, value))
                    throw new InvalidOperationException($"{typeof(TEnum).Name}.{member}: JSON name \"{name}\" is empty or used twice");
                Names[value] = name;
            }

            Ordered = [.. Names.Values];
        }
    }
}
