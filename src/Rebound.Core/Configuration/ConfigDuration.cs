using System.Globalization;

namespace Rebound.Configuration;

/// <summary>
/// The one duration grammar, for the configuration file and the command line alike: one or more AMOUNT UNIT pairs,
/// e.g. <c>500ms</c>, <c>1s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>, <c>7d</c>, <c>1h30m</c>. Units: <c>ms</c>, <c>s</c>,
/// <c>m</c> (or <c>min</c>), <c>h</c>, <c>d</c>, in any case. On the command line a bare number also counts, as seconds.
/// Each use sets its own range with a <see cref="DurationRule"/>; <see cref="Format"/> writes what <c>TryParse</c> reads.
/// </summary>
public static class ConfigDuration
{
    /// <summary>No use accepts more than this (beyond every timer's range and every sensible setting).</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    private static readonly TimeSpan[] ExampleValues =
        [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), TimeSpan.FromHours(1), TimeSpan.FromDays(7)];

    /// <summary>The grammar alone, as the file has it (zero allowed, up to <see cref="Longest"/>).</summary>
    public static bool TryParse(string? text, out TimeSpan value) =>
        TryParse(text, DurationRule.ZeroOrMore, out value, out _);

    /// <summary>
    /// Parses <paramref name="text"/> and checks it against <paramref name="rule"/>; when that fails,
    /// <paramref name="expected"/> says what would have been right (<see cref="Expected"/>).
    /// </summary>
    public static bool TryParse(string? text, DurationRule rule, out TimeSpan value, out string expected)
    {
        expected = Expected(rule);
        if (!TryParseGrammar(text?.Trim() ?? "", rule.BareSeconds, out value))
            return false;
        return (rule.AllowZero || value > TimeSpan.Zero) && value <= rule.Max;
    }

    /// <summary>
    /// "a duration greater than zero like "500ms", "1s" or "2m" (at most 10m)": only examples the rule accepts,
    /// so the message never offers what it then refuses.
    /// </summary>
    public static string Expected(DurationRule rule)
    {
        var examples = ExampleValues.Where(e => e <= rule.Max).DefaultIfEmpty(rule.Max).Select(e => $"\"{Format(e)}\"").ToList();
        var like = examples.Count > 1 ? $"{string.Join(", ", examples[..^1])} or {examples[^1]}" : examples[0];
        var notes = new List<string>();
        if (rule.Max < Longest)
            notes.Add($"at most {Format(rule.Max)}");
        if (rule.BareSeconds)
            notes.Add("a bare number is seconds");
        return $"a duration{(rule.AllowZero ? "" : " greater than zero")} like {like}{(notes.Count == 0 ? "" : $" ({string.Join("; ", notes)})")}";
    }

    /// <summary>
    /// The shortest form <c>TryParse</c> reads back: 500ms, 1.5s, 90s, 2m, 1h, 7d. With <paramref name="roundUpToSeconds"/>
    /// (for waits shown to an admin) a fraction of a second counts as a whole one, so a wait is never understated.
    /// </summary>
    public static string Format(TimeSpan value, bool roundUpToSeconds = false)
    {
        if (roundUpToSeconds)
            value = TimeSpan.FromSeconds(Math.Ceiling(value.TotalSeconds));
        if (value == TimeSpan.Zero)
            return "0s";
        if (value.TotalDays >= 1 && value.TotalDays % 1 == 0)
            return $"{value.TotalDays:0}d";
        if (value.TotalHours >= 1 && value.TotalHours % 1 == 0)
            return $"{value.TotalHours:0}h";
        if (value.TotalMinutes >= 1 && value.TotalMinutes % 1 == 0)
            return $"{value.TotalMinutes:0}m";
        return value.TotalSeconds >= 1 ? $"{value.TotalSeconds:0.###}s" : $"{value.TotalMilliseconds:0}ms";
    }

    private static bool TryParseGrammar(string text, bool bareSeconds, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Length == 0)
            return false;
        if (bareSeconds && text.All(c => char.IsAsciiDigit(c) || c == '.'))
            return TryAmount(text, 1000, out value);

        double totalMs = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                i++;
            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
                return false;
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
                i++;
            double? unitMs = text[unitStart..i].ToLowerInvariant() switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" or "min" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (unitMs is null)
                return false;
            totalMs += amount * unitMs.Value;
        }

        return ToTimeSpan(totalMs, out value);
    }

    private static bool TryAmount(string text, double unitMs, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            && ToTimeSpan(amount * unitMs, out value);
    }

    private static bool ToTimeSpan(double totalMs, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (double.IsNaN(totalMs) || totalMs > Longest.TotalMilliseconds)
            return false;
        value = TimeSpan.FromMilliseconds(Math.Round(totalMs));
        return true;
    }
}

/// <summary>
/// Where a duration is used: whether zero is allowed, the longest value, and whether a bare number counts as seconds
/// (the command line only).
/// </summary>
public readonly record struct DurationRule(bool AllowZero, TimeSpan Max, bool BareSeconds = false)
{
    /// <summary>Any duration the grammar reads, zero included.</summary>
    public static DurationRule ZeroOrMore => new(true, ConfigDuration.Longest);

    /// <summary>More than zero, at most <paramref name="max"/> (default: <see cref="ConfigDuration.Longest"/>).</summary>
    public static DurationRule Positive(TimeSpan? max = null) => new(false, max ?? ConfigDuration.Longest);

    /// <summary>Command-line timeouts and intervals: more than zero, at most a day, a bare number is seconds.</summary>
    public static DurationRule CommandLine => new(false, TimeSpan.FromHours(24), BareSeconds: true);
}
