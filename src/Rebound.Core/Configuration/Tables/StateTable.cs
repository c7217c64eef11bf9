namespace Rebound.Configuration;

/// <summary><c>[state]</c>: where the agent keeps what must survive a restart.</summary>
public sealed class StateTable : ConfigTable
{
    public static readonly StateTable Instance = new();

    public StringKey Directory { get; } = new(
        "directory",
        "The state directory: DNS cache, heal history, journal, status; default $STATE_DIRECTORY from systemd, else " + StateConfig.DefaultDirectory,
        "an absolute directory path")
    {
        Check = text => ConfigChecks.AbsolutePath(text) is null ? null : "an absolute directory path",
        Example = ConfigKey.Toml(StateConfig.DefaultDirectory),
    };

    public override string Name => "state";

    public override string Description => "Where the agent keeps what must survive a restart.";

    public override IReadOnlyList<ConfigKey> Keys => [Directory];

    internal StateConfig Read(ConfigSection s)
    {
        var directory = Directory.Read(s) ?? SystemdDirectories.State(s.Reader.Environment);
        s.RejectUnknown(Keys);
        return new StateConfig(directory);
    }

    internal static string Describe(StateConfig state) => $"state: {state.Directory}";
}
