using System.Globalization;

namespace Rebound.Cli;

/// <summary>Durations as users write them: <c>500ms</c>, <c>1s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>; a bare number is seconds.</summary>
internal static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = default;
        error = null;
        text = text?.Trim() ?? "";
        var unitStart = text.Length;
        while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1]))
        {
            unitStart--;
        }

        var number = text[..unitStart];
        var unit = text[unitStart..].ToLowerInvariant();
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            error = $"'{text}' is not a duration (examples: 500ms, 1s, 2m)";
            return false;
        }

        double? seconds = unit switch
        {
            "ms" => amount / 1000,
            "" or "s" => amount,
            "m" or "min" => amount * 60,
            "h" => amount * 3600,
            _ => null,
        };
        if (seconds is null)
        {
            error = $"'{text}': unknown unit '{unit}' (use ms, s, m or h)";
            return false;
        }

        if (seconds.Value <= 0 || seconds.Value > TimeSpan.FromDays(1).TotalSeconds)
        {
            error = $"'{text}' must be greater than zero and at most 24h";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds.Value);
        return true;
    }
}
