using System.Globalization;

namespace Rebound.Lab.Tests.Harness;

/// <summary>How the lab's router changes its upstream on failover (see lab/lab.sh).</summary>
public enum LabMode
{
    Masquerade,
    Pinned,
    Renumber,
    Blackhole,

    /// <summary>OpenWrt mwan3-style: connection marks pick a per-WAN table; failover moves only new connections.</summary>
    Mwan3,

    /// <summary>Both default routes stay; failover raises WAN1's metric above WAN2's.</summary>
    Metric,
}

/// <summary>
/// What a failover/failback did: when the router switched, the public IPv4 address expected now (what
/// 203.0.113.10 sees), and with <see cref="LabOptions.Ipv6"/> the LAN host's expected global IPv6 address.
/// </summary>
public sealed record LabSwitch(DateTimeOffset Time, string? ExpectedPublicAddress, string? ExpectedPublicIpv6 = null);

/// <summary>
/// One failover lab (lab/lab.sh) with a unique id, so tests can run concurrently.
/// Always torn down on dispose, also when the test failed or "up" failed half-way.
/// </summary>
public sealed partial class FailoverLab : IAsyncDisposable
{
    public const string Wan1Address = "198.51.100.2";
    public const string Wan2Address = "192.0.2.2";
    public const string Wan1Renumbered = "198.51.100.3";
    public const string Stun1 = "203.0.113.10:3478";
    public const string Stun2 = "203.0.113.11:3478";

    /// <summary>The LAN router (gateway), also where miniupnpd answers NAT-PMP and UPnP.</summary>
    public const string Gateway = "10.77.0.1";

    /// <summary>The LAN host's global IPv6 address (SLAAC, EUI-64 of its fixed MAC) in WAN1's prefix.</summary>
    public const string LanIpv6Wan1 = "2001:db8:1::ff:fe00:2";

    /// <summary>... in WAN2's prefix (after failover in masquerade, pinned, mwan3 and metric modes).</summary>
    public const string LanIpv6Wan2 = "2001:db8:2::ff:fe00:2";

    /// <summary>... in WAN1's new prefix after a renumber failover.</summary>
    public const string LanIpv6Renumbered = "2001:db8:3::ff:fe00:2";

    /// <summary>coturn's IPv6 addresses (with <see cref="LabOptions.Ipv6"/>).</summary>
    public const string Stun1V6 = "[2001:db8:f::10]:3478";
    public const string Stun2V6 = "[2001:db8:f::11]:3478";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private bool disposed;

    private FailoverLab(string id, LabMode mode, LabOptions options)
    {
        Id = id;
        Mode = mode;
        Options = options;
    }

    public string Id { get; }

    public LabMode Mode { get; }

    public LabOptions Options { get; }

    public string LanNamespace => $"rb{Id}lan";

    public string RouterNamespace => $"rb{Id}rtr";

    public string InternetNamespace => $"rb{Id}net";

    /// <summary>
    /// Address the lab's LAN host should see after failover in this mode (null: none, upstream dead), as
    /// 203.0.113.10 sees it (with <see cref="LabOptions.CarrierNat"/> each destination sees another one:
    /// <see cref="PublicAddressAfterFailover"/>).
    /// </summary>
    public string? FailedOverAddress => PublicAddressAfterFailover("203.0.113.10");

    /// <summary>True when failover moves new connections to WAN2 (rather than renumbering or blackholing WAN1).</summary>
    public bool FailsOverToWan2 => Mode is LabMode.Masquerade or LabMode.Pinned or LabMode.Mwan3 or LabMode.Metric;

    /// <summary>The public address <paramref name="destination"/> sees from a fresh socket after failover (null: none).</summary>
    public string? PublicAddressAfterFailover(string destination) => Mode switch
    {
        _ when FailsOverToWan2 => Options.CarrierNat ? CarrierNatAddressFor(destination) : Wan2Address,
        LabMode.Renumber => Wan1Renumbered,
        _ => null,
    };

    /// <summary>The LAN host's global IPv6 address after failover (null: no IPv6 upstream).</summary>
    public string? FailedOverIpv6 => Mode switch
    {
        _ when FailsOverToWan2 => LanIpv6Wan2,
        LabMode.Renumber => LanIpv6Renumbered,
        _ => null,
    };

    /// <summary>
    /// The carrier NAT behind WAN2 (lab/lib/impairments.sh) pools arbitrarily: 203.0.113.N sees 192.0.2.(N+40)
    /// for N up to 213, any other destination 192.0.2.254.
    /// </summary>
    public static string CarrierNatAddressFor(string destination)
    {
        var parts = destination.Split('.');
        return parts.Length == 4 && destination.StartsWith("203.0.113.", StringComparison.Ordinal)
            && int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 213
            ? $"192.0.2.{n + 40}"
            : "192.0.2.254";
    }

    public static string ModeName(LabMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Brings a lab up (skipping the test when labs can't run here).</summary>
    public static Task<FailoverLab> StartAsync(LabMode mode, CancellationToken cancellationToken = default) =>
        StartAsync(mode, LabOptions.None, cancellationToken);

    /// <summary>Brings a lab up with options (dual stack, carrier NAT, STUN blocked, static SNAT).</summary>
    public static async Task<FailoverLab> StartAsync(LabMode mode, LabOptions options, CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireLab();
        if (options.Ipv6)
        {
            LabEnvironment.RequireProgram("/usr/sbin/radvd", "radvd");
        }

        var lab = new FailoverLab(LabEnvironment.NewLabId(), mode, options);
        try
        {
            await LabAsync(["up", lab.Id, ModeName(mode), .. options.Arguments()], cancellationToken);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    public Task<LabSwitch> FailoverAsync(CancellationToken cancellationToken = default) =>
        SwitchAsync("failover", cancellationToken);

    public Task<LabSwitch> FailbackAsync(CancellationToken cancellationToken = default) =>
        SwitchAsync("failback", cancellationToken);

    /// <summary>One fresh STUN request from the LAN host; the public address, or null when nothing answered.</summary>
    public async Task<string?> StunAsync(string server = "203.0.113.10", CancellationToken cancellationToken = default)
    {
        var r = await RunLabAsync(["stun", Id, server], cancellationToken);
        var address = r.Stdout.Trim();
        return r.ExitCode == 0 && address.Length > 0 && address != "none" ? address : null;
    }

    /// <summary>Drops (or allows again) UDP to port 3478 forwarded from the LAN, at the router (lab.sh block-stun).</summary>
    public async Task BlockStunAsync(bool blocked, CancellationToken cancellationToken = default) =>
        await LabAsync(["block-stun", Id, blocked ? "on" : "off"], cancellationToken);

    /// <summary>Adds <paramref name="roundTrip"/> to WAN2's round-trip time, half each way; null removes it (lab.sh netem).</summary>
    public async Task DelayWan2Async(TimeSpan? roundTrip, CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireProgram("/usr/sbin/iptables-legacy", "iptables");
        var delay = roundTrip is { } d ? $"{(long)d.TotalMilliseconds}ms" : "off";
        await LabAsync(["netem", Id, delay], cancellationToken);
    }

    /// <summary>The LAN host's global IPv6 addresses (address, deprecated?), from ip -6 addr.</summary>
    public async Task<IReadOnlyList<(string Address, bool Deprecated, bool Tentative)>> LanIpv6AddressesAsync(CancellationToken cancellationToken = default)
    {
        var r = (await ExecAsync("lan", ["ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"], cancellationToken)).EnsureSuccess();
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var address = words[Array.IndexOf(words, "inet6") + 1].Split('/')[0];
            return (address, words.Contains("deprecated"), words.Contains("tentative"));
        })];
    }

    /// <summary>
    /// Waits until the LAN host has <paramref name="address"/> as a preferred address (past duplicate address
    /// detection, not deprecated); false when it did not within <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitForLanIpv6Async(string address, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        do
        {
            if ((await LanIpv6AddressesAsync(cancellationToken)).Any(a => a.Address == address && !a.Deprecated && !a.Tentative))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
        while (DateTimeOffset.UtcNow < deadline);
        return false;
    }

    /// <summary>Runs <paramref name="work"/> inside one of the lab's namespaces (e.g. to open a socket that stays there).</summary>
    public T InNamespace<T>(string where, Func<T> work) => Rebound.Transport.NetworkNamespace.Run($"/var/run/netns/{NamespaceOf(where)}", work);

    /// <summary>The namespace behind "lan", "router", "internet", "lighthouse" or "peer".</summary>
    public string NamespaceOf(string where) => where switch
    {
        "lan" => LanNamespace,
        "router" => RouterNamespace,
        "internet" => InternetNamespace,
        "lighthouse" => $"rb{Id}nlh",
        "peer" => $"rb{Id}npr",
        _ => throw new ArgumentException($"no lab namespace '{where}'", nameof(where)),
    };

    /// <summary>Starts BIND on 203.0.113.53 for home.test (lab.sh dns); returns the TSIG key file's path.</summary>
    public async Task<string> StartDnsAsync(CancellationToken cancellationToken = default)
    {
        var r = await RunLabAsync(["dns", Id], cancellationToken);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    /// <summary>What the lab's authoritative server answers for NAME's A record, asked from the internet.</summary>
    public async Task<string> DigAsync(string name, CancellationToken cancellationToken = default)
    {
        var r = await ExecAsync("internet", ["dig", "+short", "@203.0.113.53", name, "A"], cancellationToken);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    /// <summary>The head of a rebound.toml for the lab: both STUN servers every second, state in <paramref name="stateDirectory"/>.</summary>
    public static string WatchConfig(string stateDirectory) => $"""
        [watch]
        servers = ["{Stun1}", "{Stun2}"]
        interval = "1s"

        [state]
        directory = "{stateDirectory}"

        """;

    /// <summary>A rebound.toml that keeps gw.home.test on the public address via RFC 2136 to the lab's BIND.</summary>
    public static string DdnsConfig(string stateDirectory, string keyFile) => WatchConfig(stateDirectory) + $"""
        [[ddns]]
        provider = "rfc2136"
        server = "203.0.113.53"
        zone = "home.test"
        names = ["gw.home.test"]
        families = ["ipv4"]
        ttl = 60
        key_file = "{keyFile}"
        """;

    /// <summary>Runs a command in one of the lab's namespaces: "lan", "router" or "internet".</summary>
    public Task<CommandResult> ExecAsync(string where, IEnumerable<string> command, CancellationToken cancellationToken = default) =>
        RunLabAsync(["exec", Id, where, .. command], cancellationToken);

    public Task<CommandResult> ExecAsync(string where, params string[] command) =>
        ExecAsync(where, (IEnumerable<string>)command);

    public async Task<string> StatusAsync() => (await LabAsync(["status", Id], default)).Stdout;

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await RunLabAsync(["down", Id], CancellationToken.None);
    }

    private async Task<LabSwitch> SwitchAsync(string what, CancellationToken cancellationToken)
    {
        var r = await LabAsync([what, Id], cancellationToken);
        return ParseSwitch(r.Stdout);
    }

    /// <summary>
    /// Parses "switched 1764131234.123456789 public 192.0.2.2" (or "public none"), with
    /// " public6 2001:db8:2::ff:fe00:2" (or "public6 none") appended in dual-stack labs.
    /// </summary>
    public static LabSwitch ParseSwitch(string stdout)
    {
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith("switched ", StringComparison.Ordinal))
            ?? throw new FormatException($"no 'switched' line in lab output: {stdout}");
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (4 or 6) || parts[2] != "public" || (parts.Length == 6 && parts[4] != "public6"))
        {
            throw new FormatException($"unexpected switch line: {line}");
        }

        var seconds = decimal.Parse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var ticks = (long)(seconds * TimeSpan.TicksPerSecond);
        var time = DateTimeOffset.UnixEpoch.AddTicks(ticks);
        static string? Address(string word) => word == "none" ? null : word;
        return new LabSwitch(time, Address(parts[3]), parts.Length == 6 ? Address(parts[5]) : null);
    }

    /// <summary>Runs lab.sh with <paramref name="args"/>; throws with its output when it fails.</summary>
    internal static async Task<CommandResult> LabAsync(string[] args, CancellationToken cancellationToken) =>
        (await RunLabAsync(args, cancellationToken)).EnsureSuccess();

    /// <summary>Runs lab.sh with <paramref name="args"/>, whatever its exit code.</summary>
    internal static Task<CommandResult> RunLabAsync(string[] args, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync("bash", [LabEnvironment.LabScript, .. args], CommandTimeout, cancellationToken);
}
