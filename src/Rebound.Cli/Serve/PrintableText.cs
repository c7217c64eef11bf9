using System.Text;

namespace Rebound.Cli.Serve;

/// <summary>Text from another process made safe for a terminal: control characters (escape sequences) removed, newlines and tabs kept.</summary>
internal static class PrintableText
{
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(IsUnsafe))
            return text;
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!IsUnsafe(c))
                clean.Append(c);
        }

        return clean.ToString();
    }

    // C0 controls but \n and \t, DEL, and C1 controls (0x9B is a one-byte CSI).
    private static bool IsUnsafe(char c) => (char.IsControl(c) && c is not ('\n' or '\t')) || c is '\u2028' or '\u2029';
}
