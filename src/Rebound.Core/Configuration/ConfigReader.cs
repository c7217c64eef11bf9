using Rebound.Act.Heal;

namespace Rebound.Configuration;

/// <summary>
/// Turns the <see cref="TomlTree"/> into typed records, table by table as <see cref="ConfigSchema"/> declares them,
/// collecting every problem on the way. Secret files and environment variables are read here.
/// </summary>
internal sealed partial class ConfigReader(string path, Func<string, string?> environment, UnixFileMode? configFileMode, bool environmentElsewhere = false)
{
    private const UnixFileMode GroupOrOthersRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "/";

    /// <summary>The configuration file, as messages name it.</summary>
    public string Path { get; } = path;

    /// <summary>Looks up <c>*_env</c> variables and systemd's directories.</summary>
    public Func<string, string?> Environment { get; } = environment;

    /// <summary>
    /// True when the file is checked outside the agent (check-config, status): an unset <c>*_env</c> variable is then
    /// a note, since the unit's Environment=/EnvironmentFile= sets it for the agent, not for the caller's shell.
    /// </summary>
    public bool EnvironmentElsewhere { get; } = environmentElsewhere;

    /// <summary>The configuration file's mode, when known: an inline secret in a file others can read is warned about.</summary>
    public UnixFileMode? ConfigFileMode { get; } = configFileMode;

    public List<ConfigProblem> Problems { get; } = [];

    public List<ConfigWarning> Warnings { get; } = [];

    public ReboundConfig Read(TomlTableNode root)
    {
        var top = new ConfigSection(this, root, "");
        var watch = WatchTable.Instance.Read(Table(top, WatchTable.Instance));
        var state = StateTable.Instance.Read(Table(top, StateTable.Instance));
        var journal = JournalTable.Instance.Read(Table(top, JournalTable.Instance));
        var ddns = DdnsTable.Instance.Read(this, top);
        var heal = HealTable.Instance.Read(Table(top, HealTable.Instance));
        var hooks = ReadHooks(top);
        var notify = ReadNotify(top);
        var healthcheck = ReadHealthcheck(top);
        var http = HttpTable.Instance.Read(Table(top, HttpTable.Instance));
        var healTargets = ReadHealTargets(top);
        top.RejectUnknown(ConfigSchema.Tables.Select(t => t.Name));
        return new ReboundConfig(watch, state, ddns) { Heal = heal, Hooks = hooks, Journal = journal, Http = http, HealTargets = healTargets, Notify = notify, Healthcheck = healthcheck };
    }

    /// <summary>A single table, or an empty one when the file has none, so that reading it gives the defaults.</summary>
    private ConfigSection Table(ConfigSection top, ConfigTable table) =>
        new(this, top.SubTable(table.Name) ?? new TomlTableNode(0, 0), table.Name);

    private List<HealTargetConfig> ReadHealTargets(ConfigSection top)
    {
        var targets = new List<HealTargetConfig>();
        foreach (var kind in HealTargets.All)
        {
            IReadOnlyList<TomlTableNode> tables = kind.Many ? top.TableArray(kind.Name) ?? [] : top.SubTable(kind.Name) is { } one ? [one] : [];
            var earlier = new List<object>();
            for (int i = 0; i < tables.Count; i++)
            {
                var s = new ConfigSection(this, tables[i], kind.Many ? $"{kind.Name}[{i}]" : kind.Name);
                var start = Problems.Count;
                var settings = kind.Read(s, earlier);
                s.RejectUnknown(kind.Keys);
                if (settings is not null && Problems.Count == start)
                {
                    earlier.Add(settings);
                    targets.Add(new HealTargetConfig(kind, i, tables[i].Line, settings));
                }
            }
        }

        return targets;
    }

    /// <summary>Reads a file holding a secret (relative to the configuration's directory), warning when group or others can read it.</summary>
    internal string? ReadSecretFile(ConfigSection s, string key, string filePath)
    {
        var full = System.IO.Path.IsPathRooted(filePath) ? filePath : System.IO.Path.Combine(_directory, filePath);
        try
        {
            var content = BoundedFile.ReadText(full, BoundedFile.MaxSecretBytes);
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(full);
                if ((mode & GroupOrOthersRead) != 0)
                    s.Warn(key, $"{filePath} is readable by group/others (mode {Octal(mode)}); chmod 600 it");
            }

            return content;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            s.Problem(key, $"a readable file; {filePath} does not exist");
        }
        catch (BoundedFileException ex)
        {
            s.Problem(key, $"a regular file of at most {BoundedFile.MaxSecretBytes / 1024} KiB; {filePath} is {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            s.Problem(key, $"a readable file; {filePath} cannot be read ({(ex is UnauthorizedAccessException ? "permission denied" : ex.GetType().Name)})");
        }

        return null;
    }

    /// <summary>A path relative to the configuration file's directory made absolute.</summary>
    internal string FullPath(string relativeOrAbsolute) => System.IO.Path.GetFullPath(relativeOrAbsolute, _directory);

    internal static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);

    /// <summary>
    /// User text is quoted back only when short: long text might be a misplaced secret (API tokens are 28 to
    /// 40 characters), and not even its start is shown.
    /// </summary>
    internal static string Clip(string text) => text.Length <= 24 ? $"\"{text}\"" : $"a text of {text.Length} characters";

    internal void Problem(TomlNode at, string key, string expected) =>
        Problems.Add(new ConfigProblem(Path, at.Line, at.Column, key, expected));

    internal void Warn(TomlNode at, string key, string message) =>
        Warnings.Add(new ConfigWarning(Path, at.Line, key, message));
}
