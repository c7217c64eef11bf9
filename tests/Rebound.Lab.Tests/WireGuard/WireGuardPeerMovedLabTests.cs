using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.WireGuard;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.WireGuard;

/// <summary>
/// The second scenario: a WireGuard server at home behind a port-forward, dialed from the internet by name
/// (vpn.home.test on the lab's BIND). After failover the name is updated, but WireGuard never resolves it again;
/// the target on the dialing side sees the name moved and points the peer at the new address.
/// </summary>
public sealed class WireGuardPeerMovedLabTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dialing_side_reresolves_the_moved_name_and_the_tunnel_comes_back()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        await using var tunnel = await WireGuardTunnel.UpAsync(lab, "server", Ct);
        var keyFile = await lab.StartDnsAsync(Ct);
        var lanKey = (await File.ReadAllTextAsync($"/run/rebound-lab/{lab.Id}/wg/lan.pub", Ct)).Trim();
        Assert.True(await PeerPingsLanAsync(lab));

        var target = new WireGuardTarget(
            new WireGuardTargetOptions
            {
                Interface = tunnel.PeerInterface,
                VerifyPing = [WireGuardTunnel.LanTunnelAddress],
                Endpoints = new Dictionary<string, string> { [lanKey] = "vpn.home.test:51820" },
            },
            new UapiWireGuardControl(tunnel.PeerInterface),
            new IcmpEchoPinger(TimeProvider.System, family => NamespaceSockets.Open(lab.InternetNamespace, family)),
            new LabDigResolver(lab),
            TimeProvider.System);

        await lab.FailoverAsync(Ct);
        // What a DDNS updater does on the home side.
        var update = await lab.ExecAsync("internet", ["bash", "-c",
            $"printf 'server 203.0.113.53\\nzone home.test\\nupdate delete vpn.home.test A\\nupdate add vpn.home.test 60 A 192.0.2.2\\nsend\\n' | nsupdate -k {keyFile}"], Ct);
        Assert.True(update.ExitCode == 0, update.Stderr);
        Assert.Equal("192.0.2.2", await lab.DigAsync("vpn.home.test", Ct));
        Assert.False(await PeerPingsLanAsync(lab)); // stock WireGuard keeps dialing the dead address

        var trigger = new HealTrigger(DateTimeOffset.UtcNow, HealReason.Periodic, null, null, null, UpstreamUp: true, null, null);
        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        foreach (var line in diagnosis.Evidence)
            output.WriteLine($"evidence: {line}");
        Assert.Equal(HealCondition.PeerMoved, diagnosis.Condition);
        Assert.Contains(diagnosis.Evidence, l => l.EndsWith("vpn.home.test now resolves to 192.0.2.2:51820, endpoint is 198.51.100.2:51820", StringComparison.Ordinal));

        var rung = Assert.Single(target.Ladder, a => a.AppliesTo(diagnosis));
        Assert.Equal(HealActionKind.Reresolve, rung.Kind);
        output.WriteLine(await rung.RunAsync(trigger, Ct));
        HealCheck check = default;
        for (var i = 0; i < 30 && !check.Ok; i++)
        {
            check = await target.VerifyAsync(trigger, Ct);
            if (!check.Ok)
                await Task.Delay(100, Ct);
        }

        output.WriteLine(check.Evidence);
        Assert.True(check.Ok, check.Evidence);
        Assert.True(await PeerPingsLanAsync(lab));
    }

    private static async Task<bool> PeerPingsLanAsync(FailoverLab lab) =>
        (await lab.ExecAsync("internet", ["ping", "-c1", "-W1", "-q", "10.99.0.2"], Ct)).ExitCode == 0;

    /// <summary>Resolves through the lab's BIND with dig in the internet namespace (the test process cannot reach it).</summary>
    private sealed class LabDigResolver(FailoverLab lab) : IHostResolver
    {
        public async ValueTask<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            var r = await lab.ExecAsync("internet", ["dig", "+short", "+time=1", "+tries=1", "@203.0.113.53", host, "A"], cancellationToken);
            return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => IPAddress.TryParse(l, out var a) ? a : null).OfType<IPAddress>()];
        }
    }
}
