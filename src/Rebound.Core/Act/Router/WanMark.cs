using System.Globalization;

namespace Rebound.Act.Router;

/// <summary>
/// A firewall/connection mark as policy routing matches it: <c>mark &amp; Mask == Value</c> (as <c>ip rule fwmark
/// VALUE/MASK</c> and mwan3's <c>0x100/0xff00</c>). The mask defaults to all bits.
/// </summary>
public readonly record struct WanMark(uint Value, uint Mask)
{
    public const string Expected = "a mark VALUE or VALUE/MASK, hexadecimal (0x100/0xff00) or decimal";

    /// <summary>Whether a connection with <paramref name="mark"/> carries this mark; an unmarked one (0 or none) never does.</summary>
    public bool Matches(uint? mark) => mark is { } m && m != 0 && (m & Mask) == Value;

    public override string ToString() => Mask == uint.MaxValue ? $"0x{Value:x}" : $"0x{Value:x}/0x{Mask:x}";

    /// <summary>"0x100/0xff00", "0x100", "256/65280". A value with bits outside the mask, or a zero value, matches nothing: refused.</summary>
    public static bool TryParse(string? text, out WanMark mark)
    {
        mark = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        uint mask = uint.MaxValue;
        if (!TryNumber(slash < 0 ? text : text[..slash], out var value) || (slash >= 0 && !TryNumber(text[(slash + 1)..], out mask)))
        {
            return false;
        }

        if (value == 0 || mask == 0 || (value & ~mask) != 0)
        {
            return false;
        }

        mark = new WanMark(value, mask);
        return true;
    }

    private static bool TryNumber(string text, out uint value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && text.Length > 2
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

/// <summary>One <c>[[router.wan]]</c> entry: a WAN interface and, optionally, the connection mark its policy routing uses.</summary>
public sealed record RouterWan(string Interface, WanMark? Mark);
