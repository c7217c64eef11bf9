namespace Rebound.Lab.Tests.Harness;

/// <summary>
/// A Nebula 1.6 overlay in a failover lab (lab.sh nebula ID up): lighthouse 10.42.0.1 and peer 10.42.0.2 in
/// namespaces of their own on the internet side, and a node 10.42.0.10 on the LAN host with listen.port 4242.
/// Removed with the lab, or earlier by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class NebulaMesh : IAsyncDisposable
{
    public const string Lighthouse = "10.42.0.1";
    public const string Peer = "10.42.0.2";
    public const string LanNode = "10.42.0.10";
    public const int ListenPort = 4242;

    private readonly FailoverLab _lab;

    private NebulaMesh(FailoverLab lab, string lanConfig)
    {
        _lab = lab;
        LanConfigFile = lanConfig;
    }

    /// <summary>The LAN node's config.yml (listen.port, lighthouse.hosts, static_host_map, as a [[nebula]] target reads them).</summary>
    public string LanConfigFile { get; }

    /// <summary>Starts all three nodes and waits until the LAN host pings the peer through the tunnel.</summary>
    public static async Task<NebulaMesh> UpAsync(FailoverLab lab, CancellationToken cancellationToken = default)
    {
        LabEnvironment.RequireProgram("/usr/bin/nebula", "nebula");
        var p = FailoverLab.Pairs(await FailoverLab.LabAsync(["nebula", lab.Id, "up"], cancellationToken));
        return new NebulaMesh(lab, p["lan-config"]);
    }

    /// <summary>One ping (1 s) from the LAN host through the tunnel to <paramref name="address"/> (default: the peer).</summary>
    public async Task<bool> LanPingsAsync(string address = Peer, CancellationToken cancellationToken = default) =>
        (await FailoverLab.RunLabAsync(["nebula", _lab.Id, "ping", address], cancellationToken)).ExitCode == 0;

    /// <summary>Pings once a second until one answers; the time it took, or null when none did within <paramref name="within"/>.</summary>
    public async Task<TimeSpan?> FirstAnswerWithinAsync(TimeSpan within, string address = Peer, CancellationToken cancellationToken = default)
    {
        var start = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - start < within)
        {
            if (await LanPingsAsync(address, cancellationToken))
            {
                return DateTimeOffset.UtcNow - start;
            }
        }

        return null;
    }

    /// <summary>Restarts the LAN host's node only (as "systemctl restart nebula" would).</summary>
    public async Task RestartLanNodeAsync(CancellationToken cancellationToken = default) =>
        await FailoverLab.LabAsync(["nebula", _lab.Id, "restart"], cancellationToken);

    public async ValueTask DisposeAsync() => await FailoverLab.RunLabAsync(["nebula", _lab.Id, "down"], CancellationToken.None);
}
