using System.Net;
using System.Net.Sockets;
using Rebound.Lab.Tests.Harness;
using Rebound.Transport;

namespace Rebound.Lab.Tests.WireGuard;

/// <summary>
/// A wireguard-go tunnel in a failover lab (<c>lab.sh wg ID up client|server</c>): LAN host wl&lt;ID&gt; 10.99.0.2,
/// internet peer wn&lt;ID&gt; 10.99.0.1. Removed with the lab (lab.sh down), or earlier by <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class WireGuardTunnel : IAsyncDisposable
{
    public static readonly IPAddress LanTunnelAddress = IPAddress.Parse("10.99.0.2");
    public static readonly IPAddress PeerTunnelAddress = IPAddress.Parse("10.99.0.1");

    private readonly FailoverLab _lab;

    private WireGuardTunnel(FailoverLab lab) => _lab = lab;

    public string LanInterface => "wl" + _lab.Id;

    public string PeerInterface => "wn" + _lab.Id;

    public static async Task<WireGuardTunnel> UpAsync(FailoverLab lab, string kind, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/bin/wireguard-go") || !File.Exists("/usr/bin/wg"))
        {
            if (LabEnvironment.LabRequired)
                Assert.Fail("REBOUND_REQUIRE_LAB=1 but wireguard-go/wireguard-tools are missing");
            Assert.Skip("the WireGuard lab needs wireguard-go and wireguard-tools (run scripts/install-deps)");
        }

        (await LabAsync(["wg", lab.Id, "up", kind], cancellationToken)).EnsureSuccess();
        return new WireGuardTunnel(lab);
    }

    /// <summary>One ping from the LAN host through the tunnel (ping(8) in the namespace, independent of our pinger).</summary>
    public async Task<bool> LanPingsPeerAsync(CancellationToken cancellationToken)
    {
        var r = await _lab.ExecAsync("lan", ["ping", "-c1", "-W1", "-q", PeerTunnelAddress.ToString()], cancellationToken);
        return r.ExitCode == 0;
    }

    /// <summary>The peer's view of the LAN host's endpoint (wg show wn&lt;ID&gt; endpoints).</summary>
    public async Task<string> PeerSeesEndpointAsync(CancellationToken cancellationToken)
    {
        var r = (await ProcessRunner.RunAsync("wg", ["show", PeerInterface, "endpoints"], TimeSpan.FromSeconds(5), cancellationToken)).EnsureSuccess();
        return r.Stdout.Split('\t', StringSplitOptions.TrimEntries).Last();
    }

    public async ValueTask DisposeAsync() => await LabAsync(["wg", _lab.Id, "down"], CancellationToken.None);

    private static Task<CommandResult> LabAsync(string[] args, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync("bash", [LabEnvironment.LabScript, .. args], TimeSpan.FromSeconds(60), cancellationToken);
}

/// <summary>Opens sockets inside a named network namespace (setns on a throwaway thread; the socket stays there).</summary>
internal static class NamespaceSockets
{
    public static Socket Open(string namespaceName, AddressFamily family)
    {
        try
        {
            return NetworkNamespace.Run($"/var/run/netns/{namespaceName}", () => Rebound.Act.WireGuard.IcmpEchoPinger.OpenDefault(family));
        }
        catch (Exception ex)
        {
            throw new IOException($"cannot open a socket in {namespaceName}: {ex.Message}", ex);
        }
    }
}
