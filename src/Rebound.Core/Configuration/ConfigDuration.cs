using System.Globalization;

namespace Rebound.Configuration;

/// <summary>
/// Durations in the configuration file: a number and a unit, e.g. <c>500ms</c>, <c>1s</c>, <c>1.5s</c>, <c>2m</c>,
/// <c>1h</c>, <c>3d</c>; several may follow each other (<c>1h30m</c>). Units: ms, s, m, h, d.
/// </summary>
public static class ConfigDuration
{
    public const string Examples = "\"500ms\", \"1s\", \"2m\", \"1h\" or \"7d\"";

    private static readonly TimeSpan Max = TimeSpan.FromDays(3650);

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text?.Trim() ?? "";
        if (text.Length == 0)
            return false;

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
            double? unitMs = text[unitStart..i] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (unitMs is null)
                return false;
            totalMs += amount * unitMs.Value;
        }

        if (double.IsNaN(totalMs) || totalMs > Max.TotalMilliseconds)
            return false;
        value = TimeSpan.FromMilliseconds(Math.Round(totalMs));
        return true;
    }

    /// <summary>Short form for messages: 500ms, 1s, 1.5s, 2m, 7d.</summary>
    public static string Format(TimeSpan value)
    {
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
}
