using System.Globalization;
using Rebound.Act.Commands;

namespace Rebound.Act.Tune;

/// <summary>
/// One kernel setting that decides how fast a dead flow is noticed, with the value Rebound recommends. For every
/// one of them a lower value means faster detection, so a current value at or below the recommendation is left alone:
/// tuning never makes anything slower.
/// </summary>
public sealed record TuneSetting(string Key, long Recommended, string Why)
{
    /// <summary>The settings <c>rebound tune</c> looks at, in display order.</summary>
    public static IReadOnlyList<TuneSetting> Catalog { get; } =
    [
        new("net.ipv4.tcp_keepalive_time", 120, "idle seconds before the first keepalive probe; at 7200 an idle TCP connection to a vanished path lives on for 2 hours"),
        new("net.ipv4.tcp_keepalive_intvl", 10, "seconds between keepalive probes; with time 120 and 6 probes a dead idle connection is dropped after about 3 minutes"),
        new("net.ipv4.tcp_keepalive_probes", 6, "unanswered probes before the connection is dropped"),
        new("net.ipv4.tcp_retries2", 8, "retransmissions of unacknowledged data before giving up; 15 is about 15 minutes of silence, 8 about 100 seconds"),
        new("net.netfilter.nf_conntrack_udp_timeout", 30, "router: seconds an unreplied UDP mapping survives after its last packet"),
        new("net.netfilter.nf_conntrack_udp_timeout_stream", 60, "router: seconds a UDP stream's mapping (pinned to its WAN) survives after its last packet; 120 keeps a paused flow on a dead WAN longer"),
    ];

    public string RecommendedText => Recommended.ToString(CultureInfo.InvariantCulture);

    /// <summary>/proc/sys relative path: dots become slashes.</summary>
    public string RelativePath => Key.Replace('.', '/');
}

/// <summary>What one setting is now and what tune would do with it.</summary>
/// <param name="Current">The value as read (trimmed); null when the kernel does not have the setting (e.g. nf_conntrack not loaded).</param>
/// <param name="NeedsChange">True when the current value is above the recommendation (or unreadable as a number).</param>
public sealed record TuneRow(TuneSetting Setting, string? Current, bool NeedsChange)
{
    public string Status => Current is null ? "absent" : NeedsChange ? "change" : "ok";
}

/// <summary>A WireGuard peer without a persistent keepalive: nothing refreshes its NAT mapping while it is idle.</summary>
/// <param name="PublicKey">The peer's public key (public by definition; private and preshared keys are never read into this).</param>
public sealed record WireGuardKeepaliveAdvice(string Interface, string PublicKey, string Endpoint, int PersistentKeepalive)
{
    public const int Recommended = 25;

    public const string Why = "off: nothing keeps the NAT mapping alive while the tunnel is idle, and the far end cannot reach us after a failover until we send; set PersistentKeepalive = 25";

    /// <summary>
    /// Runs <c>wg show all dump</c> and advises on its peers; no advice (null) with a one-line note when wg is not
    /// installed, fails or does not answer within 5 s. The dump holds private keys: only peer lines' public fields are kept.
    /// </summary>
    public static async Task<(IReadOnlyList<WireGuardKeepaliveAdvice>? Advice, string? Note)> ReadAsync(ICommandRunner commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        try
        {
            var result = await commands.RunAsync(new CommandRequest(["wg", "show", "all", "dump"], TimeSpan.FromSeconds(5)), cancellationToken);
            return result.ExitCode == 0 ? (FromDump(result.Output), null) : (null, $"wg show all dump failed (exit {result.ExitCode})");
        }
        catch (CommandStartException)
        {
            return (null, "wg is not installed");
        }
        catch (CommandTimeoutException)
        {
            return (null, "wg show all dump did not answer within 5s");
        }
    }

    /// <summary>
    /// Peers of <c>wg show all dump</c> whose persistent keepalive is off. Interface lines (5 fields, holding the
    /// private key) are skipped without keeping any field; peer lines have 9 tab-separated fields. Peers without an
    /// endpoint cannot send keepalives and are skipped too.
    /// </summary>
    public static IReadOnlyList<WireGuardKeepaliveAdvice> FromDump(string dump)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var advice = new List<WireGuardKeepaliveAdvice>();
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('\t');
            if (f.Length != 9 || f[3] == "(none)")
            {
                continue;
            }

            var keepalive = f[8] == "off" ? 0 : int.TryParse(f[8], NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : -1;
            if (keepalive == 0)
            {
                advice.Add(new WireGuardKeepaliveAdvice(f[0], f[1], f[3], 0));
            }
        }

        return advice;
    }
}
