using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>What the LAN host itself can see is reported as local-network-changed, and probed at once.</summary>
public sealed class LocalNetworkEventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] WatchArgs() =>
        ["watch", "--server", FailoverLab.Stun1, "--server", FailoverLab.Stun2, "--interval", "60s", "--json"];

    [Fact]
    public async Task A_new_address_and_a_swapped_router_are_reported_without_touching_the_public_address()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        await using var rebound = ReboundProcess.StartInLan(lab, WatchArgs());
        var started = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));

        var add = await lab.ExecAsync("lan", "ip", "addr", "add", "10.77.0.3/24", "dev", "eth0");
        Assert.True(add.ExitCode == 0, add.Stderr);
        var e = await rebound.NextEventAsync(TimeSpan.FromSeconds(10), "local-network-changed (address)", Ct);
        Assert.Equal("local-network-changed", e.Name);
        Assert.Contains("address 10.77.0.3/24 on eth0 added", e.Line, StringComparison.Ordinal);

        // The router box is swapped for another with the same address: new MAC on the router's LAN
        // port, and the host learns it (set directly, so the test does not wait for ARP to expire).
        var box = await lab.ExecAsync("router", "ip", "link", "set", "lan0", "address", "02:00:00:00:00:99");
        Assert.True(box.ExitCode == 0, box.Stderr);
        var swap = await lab.ExecAsync("lan", "ip", "neigh", "replace", "10.77.0.1", "lladdr", "02:00:00:00:00:99", "dev", "eth0", "nud", "permanent");
        Assert.True(swap.ExitCode == 0, swap.Stderr);
        e = await rebound.NextEventAsync(TimeSpan.FromSeconds(10), "local-network-changed (gateway MAC)", Ct);
        Assert.Equal("local-network-changed", e.Name);
        Assert.Contains("gateway 10.77.0.1 MAC changed from", e.Line, StringComparison.Ordinal);
        Assert.Contains("to 02:00:00:00:00:99", e.Line, StringComparison.Ordinal);

        // The public address did not move, so nothing else is reported.
        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(4), "after local changes", Ct);
    }
}
