namespace Rebound.Act.Tune;

/// <summary>Where <see cref="Tuner"/> reads and writes; the defaults are the real system, tests point them at a temp tree.</summary>
public sealed class TuneOptions
{
    public const string DropInName = "90-rebound.conf";
    public const string BackupName = "tune-backup.json";

    public string ProcSysRoot { get; init; } = "/proc/sys";

    public string SysctlDirectory { get; init; } = "/etc/sysctl.d";

    public string StateDirectory { get; init; } = "/var/lib/rebound";

    public IReadOnlyList<TuneSetting> Settings { get; init; } = TuneSetting.Catalog;

    public string DropInPath => Path.Combine(SysctlDirectory, DropInName);

    public string BackupPath => Path.Combine(StateDirectory, BackupName);
}
