using System.Text;

namespace Rebound.Configuration;

/// <summary>
/// The commented sample configuration (packaging/rebound.toml, <c>rebound sample-config</c>), written from
/// <see cref="ConfigSchema.Tables"/>: per table a banner and what it is for, per key a comment block (what it does,
/// then its type and default) above the key itself, commented out unless the table says otherwise. The layout is
/// regular so that a man page can be made from the same definitions.
/// </summary>
public static class SampleConfig
{
    private const int Width = 100;
    private const int BannerWidth = 96;

    private static readonly string[] Preamble =
    [
        "/etc/rebound/rebound.toml: configuration of the rebound service (`rebound run`).",
        "",
        "Check it after every edit:   rebound check-config /etc/rebound/rebound.toml",
        "Then apply it:                systemctl restart rebound",
        "Unknown keys are errors, so a typo never silently disables something. Durations: 500ms, 1s, 1.5s, 2m, 1h, 7d,"
            + " or several together, 1h30m. Host and port: HOST, HOST:PORT or [IPV6]:PORT.",
        "Secrets (TSIG keys, API tokens) belong in their own files, mode 0600, referenced by *_file keys (or *_env);"
            + " keep them under /etc/rebound: the service cannot see /root or /home.",
        "Written by `rebound check-config --sample` from the definitions of every table and key.",
    ];

    /// <summary>The whole file, LF line ends, ending in one newline.</summary>
    public static string Text()
    {
        var text = new StringBuilder();
        foreach (var line in Preamble)
            Comment(text, line);
        foreach (var table in ConfigSchema.Tables)
        {
            text.Append('\n');
            Table(text, table);
        }

        return text.ToString();
    }

    private static void Table(StringBuilder text, ConfigTable table)
    {
        text.Append("# ").Append('-', BannerWidth - 3 - table.Name.Length).Append(' ').Append(table.Name).Append('\n');
        Comment(text, table.Description);
        var active = table.ActiveInSample;
        if (table.Variants.Count == 0)
        {
            text.Append(active.Count > 0 ? "" : "# ").Append(table.Header).Append('\n');
            foreach (var key in table.Keys)
                Key(text, key, active.Contains(key));
            return;
        }

        Comment(text, "");
        Comment(text, $"Keys of every {table.Header} entry:");
        foreach (var key in table.Keys)
            Key(text, key, active: false);
        foreach (var variant in table.Variants)
        {
            Comment(text, "");
            Comment(text, $"{variant.Name}: {variant.Doc}.");
            text.Append("# ").Append(table.Header).Append('\n');
            foreach (var line in variant.FixedLines)
                text.Append("# ").Append(line).Append('\n');
            foreach (var key in variant.Keys)
                Key(text, key, active: false);
        }
    }

    private static void Key(StringBuilder text, ConfigKey key, bool active)
    {
        Comment(text, key.Doc + ".");
        var type = char.ToUpperInvariant(key.Type[0]) + key.Type[1..];
        Comment(text, key.Required ? $"{type}; required." : key.DefaultText is { } value ? $"{type}; default {value}." : $"{type}; optional.");
        foreach (var line in key.SampleLine.Split('\n')) // a table array's sample is its header and keys
            text.Append(active ? "" : "# ").Append(line).Append('\n');
    }

    /// <summary>Comment lines, words wrapped at <see cref="Width"/>; an empty text is one "#" line.</summary>
    private static void Comment(StringBuilder text, string paragraph)
    {
        if (paragraph.Length == 0)
        {
            text.Append("#\n");
            return;
        }

        var line = new StringBuilder();
        foreach (var word in paragraph.Split(' '))
        {
            if (line.Length > 0 && 2 + line.Length + 1 + word.Length > Width)
            {
                text.Append("# ").Append(line).Append('\n');
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        text.Append("# ").Append(line).Append('\n');
    }
}
