using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>
/// A fully qualified domain name held in uncompressed wire form (case preserved, compared
/// case-insensitively). Text form accepts printable ASCII labels without escapes; a trailing dot is optional.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;

    // A compression pointer chain may not take more hops than there are possible labels.
    private const int MaxPointerHops = 128;

    private readonly byte[] _wire;

    private DnsName(byte[] wire) => _wire = wire;

    public static DnsName Root { get; } = new([0]);

    /// <summary>Uncompressed wire form, ending in the zero-length root label.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    public int LabelCount
    {
        get
        {
            int count = 0;
            for (int i = 0; _wire[i] != 0; i += 1 + _wire[i])
                count++;
            return count;
        }
    }

    public static DnsName Parse(string text) =>
        TryParse(text, out var name) ? name : throw new FormatException($"'{text}' is not a valid DNS name");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out DnsName? name)
    {
        name = null;
        if (string.IsNullOrEmpty(text))
            return false;
        if (text == ".")
        {
            name = Root;
            return true;
        }

        var trimmed = text.EndsWith('.') ? text[..^1] : text;
        if (trimmed.Length + 2 > MaxWireLength)
            return false;
        var wire = new byte[trimmed.Length + 2];
        int at = 0;
        foreach (var label in trimmed.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength)
                return false;
            wire[at++] = (byte)label.Length;
            foreach (char c in label)
            {
                // Printable ASCII except the characters zone-file syntax would need escaped.
                if (c <= ' ' || c >= 0x7F || c is '\\' or '"' or '(' or ')' or ';' or '@' or '$')
                    return false;
                wire[at++] = (byte)c;
            }
        }

        wire[at] = 0;
        name = new DnsName(wire);
        return true;
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> and advances it past the name's
    /// in-place bytes. Pointers must point strictly backwards from where the current run of labels
    /// began, so loops are impossible; out-of-range pointers, reserved label types and names longer
    /// than 255 bytes are rejected. Never throws.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, ref int offset, [NotNullWhen(true)] out DnsName? name)
    {
        name = null;
        Span<byte> buffer = stackalloc byte[MaxWireLength];
        int length = 0;
        int position = offset;
        int runStart = offset;
        int end = -1;
        int hops = 0;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
                return false;
            byte b = message[position];
            if ((b & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length || ++hops > MaxPointerHops)
                    return false;
                int target = ((b & 0x3F) << 8) | message[position + 1];
                if (target >= runStart)
                    return false;
                if (end < 0)
                    end = position + 2;
                position = runStart = target;
                continue;
            }

            if ((b & 0xC0) != 0)
                return false;
            if (length + 1 + b > MaxWireLength)
                return false;
            if (b == 0)
            {
                buffer[length++] = 0;
                if (end < 0)
                    end = position + 1;
                break;
            }

            if (position + 1 + b > message.Length)
                return false;
            buffer[length++] = b;
            message.Slice(position + 1, b).CopyTo(buffer[length..]);
            length += b;
            position += 1 + b;
        }

        offset = end;
        name = length == 1 ? Root : new DnsName(buffer[..length].ToArray());
        return true;
    }

    /// <summary>True when this name equals <paramref name="zone"/> or lies below it.</summary>
    public bool IsSubdomainOf(DnsName zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        int skip = _wire.Length - zone._wire.Length;
        if (skip < 0)
            return false;

        // The suffix must start on a label boundary.
        int at = 0;
        while (at < skip)
            at += 1 + _wire[at];
        return at == skip && EqualsIgnoreCase(_wire.AsSpan(skip), zone._wire);
    }

    public bool Equals(DnsName? other) => other is not null && EqualsIgnoreCase(_wire, other._wire);

    public override bool Equals(object? obj) => Equals(obj as DnsName);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (byte b in _wire)
            hash.Add(ToLower(b));
        return hash.ToHashCode();
    }

    /// <summary>Dotted text with a trailing dot; bytes that are not plain printable ASCII appear as \DDD.</summary>
    public override string ToString()
    {
        if (_wire.Length == 1)
            return ".";
        var text = new StringBuilder(_wire.Length);
        for (int i = 0; _wire[i] != 0; i += 1 + _wire[i])
        {
            foreach (byte b in _wire.AsSpan(i + 1, _wire[i]))
            {
                if (b is > (byte)' ' and < 0x7F and not (byte)'.' and not (byte)'\\')
                    text.Append((char)b);
                else
                    text.Append('\\').Append(b.ToString("D3"));
            }

            text.Append('.');
        }

        return text.ToString();
    }

    internal static void LowerCaseInPlace(Span<byte> wire)
    {
        for (int i = 0; i < wire.Length; i++)
            wire[i] = ToLower(wire[i]);
    }

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;

    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
            return false;
        for (int i = 0; i < a.Length; i++)
        {
            if (ToLower(a[i]) != ToLower(b[i]))
                return false;
        }

        return true;
    }
}
