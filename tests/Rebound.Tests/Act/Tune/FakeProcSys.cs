using Rebound.Act.Tune;

namespace Rebound.Tests.Act.Tune;

/// <summary>A temp directory tree standing in for /proc/sys, /etc/sysctl.d and the state directory.</summary>
internal sealed class FakeProcSys : IDisposable
{
    public static readonly Dictionary<string, string> Defaults = new()
    {
        ["net.ipv4.tcp_keepalive_time"] = "7200",
        ["net.ipv4.tcp_keepalive_intvl"] = "75",
        ["net.ipv4.tcp_keepalive_probes"] = "9",
        ["net.ipv4.tcp_retries2"] = "15",
        ["net.netfilter.nf_conntrack_udp_timeout"] = "30",
        ["net.netfilter.nf_conntrack_udp_timeout_stream"] = "120",
    };

    public FakeProcSys(bool withConntrack = true)
    {
        Root = Directory.CreateTempSubdirectory("rebound-tune-").FullName;
        foreach (var (key, value) in Defaults)
        {
            if (withConntrack || !key.StartsWith("net.netfilter.", StringComparison.Ordinal))
            {
                Set(key, value);
            }
        }

        Directory.CreateDirectory(Path.Combine(Root, "sysctl.d"));
        Options = new TuneOptions
        {
            ProcSysRoot = Path.Combine(Root, "proc-sys"),
            SysctlDirectory = Path.Combine(Root, "sysctl.d"),
            StateDirectory = Path.Combine(Root, "state"),
        };
    }

    public string Root { get; }

    public TuneOptions Options { get; }

    public string Get(string key) => File.ReadAllText(PathOf(key));

    public void Set(string key, string value)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, value + "\n"); // the kernel's format: value and a newline
    }

    public Dictionary<string, string> Snapshot() =>
        Defaults.Keys.Where(k => File.Exists(PathOf(k))).ToDictionary(k => k, Get);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private string PathOf(string key) => Path.Combine(Root, "proc-sys", key.Replace('.', '/'));
}
