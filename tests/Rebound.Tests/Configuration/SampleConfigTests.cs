using System.Runtime.Versioning;
using Rebound.Act.Ddns;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

/// <summary>
/// packaging/rebound.toml is written from the definitions (<see cref="SampleConfig"/>): it must not drift from them, it
/// must be a valid file that changes nothing, and every example it shows must be one the reader accepts.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SampleConfigTests : IDisposable
{
    private const string TsigKey = "key \"home-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\";\n};\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("rebound-sample-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_packaged_sample_is_what_the_definitions_write()
    {
        var packaged = File.ReadAllText(Path.Combine(DefinitionSeamTests.RepoRoot(), "packaging", "rebound.toml"));

        Assert.True(packaged == SampleConfig.Text(),
            "packaging/rebound.toml differs from the definitions; regenerate it: rebound check-config --sample > packaging/rebound.toml");
    }

    [Fact]
    public void The_sample_is_valid_and_configures_only_the_defaults()
    {
        var sample = ConfigLoader.Parse(SampleConfig.Text(), "rebound.toml", _ => null);
        var empty = ConfigLoader.Parse("", "rebound.toml", _ => null);

        Assert.True(sample.IsValid, string.Join("\n", sample.Problems));
        Assert.Empty(sample.Warnings);
        Assert.Equal(ConfigSummary.Describe(empty.Config!), ConfigSummary.Describe(sample.Config!));
    }

    [Fact]
    public void Every_table_and_key_is_in_the_sample_with_a_comment_above_it()
    {
        var lines = SampleConfig.Text().Split('\n');
        var keys = ConfigSchema.Tables.SelectMany(t => t.Keys.Concat(t.Variants.SelectMany(v => v.Keys))).ToList();

        foreach (var table in ConfigSchema.Tables)
            Assert.Contains(lines, l => l == table.Header || l == "# " + table.Header);
        foreach (var key in keys)
        {
            var first = key.SampleLine.Split('\n')[0]; // a table array's sample: its header, then its keys
            var at = Array.FindIndex(lines, l => l == first || l == "# " + first);
            Assert.True(at >= 2, $"{key.Name}: no sample line");
            Assert.StartsWith("# ", lines[at - 1], StringComparison.Ordinal);
            Assert.EndsWith(".", lines[at - 1], StringComparison.Ordinal);
        }

        Assert.All(lines, l => Assert.True(l.Length <= 100, $"over 100 columns: {l}"));
    }

    public static TheoryData<string> Entries() =>
    [
        .. ConfigSchema.Tables.Where(t => t.Variants.Count == 0).Select(t => t.Name),
        .. ConfigSchema.Tables.SelectMany(t => t.Variants.Select(v => $"{t.Name}:{v.Name}")),
    ];

    /// <summary>Each table (each provider's entry) with every key set to what the sample shows: no problem at all.</summary>
    [Theory]
    [MemberData(nameof(Entries))]
    public void Every_example_the_sample_shows_is_accepted(string entry)
    {
        var (tableName, variantName) = entry.Contains(':', StringComparison.Ordinal) ? (entry.Split(':')[0], entry.Split(':')[1]) : (entry, null);
        var table = ConfigSchema.Tables.Single(t => t.Name == tableName);
        var variant = table.Variants.SingleOrDefault(v => v.Name == variantName);
        IEnumerable<ConfigKey> keys = variant is null ? table.Keys : variant.Keys;
        if (table == HookTable.Instance)
            keys = keys.Where(k => k != HookTable.Instance.Url); // command or url, not both
        var text = string.Join('\n', [table.Header, .. variant?.FixedLines ?? [], .. keys.Select(k => Local(k.SampleLine))]) + "\n";

        var result = ConfigLoader.Parse(text, Path.Combine(_dir, "rebound.toml"), _ => null);

        Assert.True(result.IsValid, text + string.Join("\n", result.Problems));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Every_key_has_a_description_and_a_sample_value_and_names_are_unique()
    {
        foreach (var table in ConfigSchema.Tables)
        {
            var keys = table.Keys.ToList();
            foreach (var variant in table.Variants)
            {
                var names = keys.Concat(variant.Keys).SelectMany(k => k.FileKeys).ToList();
                Assert.Equal(names.Distinct().Count(), names.Count);
            }

            Assert.Equal(keys.SelectMany(k => k.FileKeys).Distinct().Count(), keys.SelectMany(k => k.FileKeys).Count());
            Assert.All(keys.Concat(table.Variants.SelectMany(v => v.Keys)), k =>
            {
                Assert.False(string.IsNullOrWhiteSpace(k.Doc));
                Assert.False(k.Doc.EndsWith('.'), $"{k.Name}: the writer adds the full stop");
                Assert.NotEmpty(k.SampleLine);
            });
        }

        Assert.Equal(ConfigSchema.Tables.Count, ConfigSchema.Tables.Select(t => t.Name).Distinct().Count());
        Assert.Equal(DdnsProviders.All.Count, DdnsProviders.All.Select(p => p.Name).Distinct().Count());
    }

    /// <summary>The example secret and key files under /etc/rebound, written into the test's directory instead.</summary>
    private string Local(string sampleLine)
    {
        const string Nebula = "/etc/nebula/config.yml";
        if (sampleLine.Contains(Nebula, StringComparison.Ordinal))
        {
            // [[nebula]] reads the node's own file: a minimal one, as nebula's example config has it.
            var file = Path.Combine(_dir, "nebula.yml");
            File.WriteAllText(file, "lighthouse:\n  hosts:\n    - \"10.42.0.1\"\nlisten:\n  host: 0.0.0.0\n  port: 4242\n");
            return sampleLine.Replace(Nebula, file, StringComparison.Ordinal);
        }

        const string Etc = "/etc/rebound/";
        var at = sampleLine.IndexOf(Etc, StringComparison.Ordinal);
        if (at < 0)
            return sampleLine;
        var name = sampleLine[(at + Etc.Length)..].TrimEnd('"');
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, name.EndsWith(".key", StringComparison.Ordinal) ? TsigKey
            : name == "notify.url" ? "ntfy://ntfy.sh/rebound-home\n"
            : name == "healthcheck.url" ? "https://hc-ping.com/0b5f2b4e-8c1a-4b9e-a3f4-5d6e7f8a9b0c\n"
            : "example-secret\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return sampleLine.Replace(Etc, _dir + "/", StringComparison.Ordinal);
    }
}
