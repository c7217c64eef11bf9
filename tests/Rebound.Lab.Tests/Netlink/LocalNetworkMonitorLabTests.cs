using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Netlink;
using Rebound.Transport.Netlink;

namespace Rebound.Lab.Tests.Netlink;

/// <summary>
/// The real monitor on a real rtnetlink socket inside a throwaway network namespace, driven with `ip -n`.
/// Nothing leaves the namespace: veth pairs only, no traffic is sent.
/// </summary>
public sealed class LocalNetworkMonitorLabTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Sees_addresses_default_routes_and_gateway_macs_change_inside_a_namespace()
    {
        LabNetworkNamespace.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        await using var ns = await LabNetworkNamespace.CreateAsync();
        await using var monitor = new LocalNetworkMonitor(() => NetlinkSocket.OpenInNamespace(ns.Path, NetlinkProtocol.Route, NetlinkConstants.MonitorGroups));
        await monitor.StartAsync(ct);
        Assert.Empty(monitor.Current.Addresses); // a fresh namespace: the host's addresses must not show up
        Assert.Empty(monitor.Current.DefaultRoutes);

        await ns.IpAsync("link add veth0 type veth peer name veth1");
        await ns.IpAsync("link set veth1 up");
        await ns.IpAsync("link set veth0 up");
        await ns.IpAsync("addr add 10.77.0.2/24 dev veth0");
        var lines = await WaitForAsync(monitor, s => s.Addresses.Any(a => a.Address.Equals(IPAddress.Parse("10.77.0.2"))), ct);
        Assert.Contains("address 10.77.0.2/24 on veth0 added", lines);

        await ns.IpAsync("addr add 2001:db8:77::2/64 dev veth0 nodad");
        lines = await WaitForAsync(monitor, s => s.Addresses.Any(a => a.Address.Equals(IPAddress.Parse("2001:db8:77::2"))), ct);
        Assert.Contains("address 2001:db8:77::2/64 on veth0 added", lines);

        await ns.IpAsync("route add default via 10.77.0.1 dev veth0");
        lines = await WaitForAsync(monitor, s => s.DefaultRoutes.Any(r => r.Family == AddressFamily.InterNetwork), ct);
        Assert.Contains("default ipv4 route via 10.77.0.1 dev veth0 added", lines);

        await ns.IpAsync("-6 route add default via fe80::1 dev veth0");
        lines = await WaitForAsync(monitor, s => s.DefaultRoutes.Any(r => r.Family == AddressFamily.InterNetworkV6), ct);
        Assert.Contains("default ipv6 route via fe80::1 dev veth0 metric 1024 added", lines);

        await ns.IpAsync("neigh replace 10.77.0.1 lladdr 02:00:00:77:00:01 dev veth0 nud permanent");
        // Learning the MAC for the first time updates the snapshot without reporting a change.
        for (var i = 0; i < 100 && GatewayMac(monitor.Current) != "02:00:00:77:00:01"; i++)
        {
            await Task.Delay(50, ct);
        }

        Assert.Equal("02:00:00:77:00:01", GatewayMac(monitor.Current));
        Assert.False(monitor.Changes.TryRead(out _));

        await ns.IpAsync("neigh replace 10.77.0.1 lladdr 02:00:00:77:00:02 dev veth0 nud permanent");
        lines = await WaitForAsync(monitor, s => GatewayMac(s) == "02:00:00:77:00:02", ct);
        Assert.Contains("gateway 10.77.0.1 MAC changed from 02:00:00:77:00:01 to 02:00:00:77:00:02", lines);

        // The neighbour entry going away is not a network change; the next change must still start from the known MAC.
        await ns.IpAsync("neigh del 10.77.0.1 dev veth0");
        await ns.IpAsync("route replace default via 10.77.0.254 dev veth0");
        var change = await NextChangeAsync(monitor, ct);
        Assert.Equal("02:00:00:77:00:02", GatewayMac(change.Before));
        Assert.Equal(
            ["default ipv4 route via 10.77.0.1 dev veth0 removed", "default ipv4 route via 10.77.0.254 dev veth0 added"],
            change.Differences);
        Assert.Null(GatewayMac(change.After));

        // Taking the device down flushes its IPv4 routes without any RTM_DELROUTE; the monitor must notice anyway.
        await ns.IpAsync("link set veth0 down");
        lines = await WaitForAsync(monitor, s => s.DefaultRoutes.Count == 0, ct);
        Assert.Contains("default ipv4 route via 10.77.0.254 dev veth0 removed", lines);
        Assert.Contains("default ipv6 route via fe80::1 dev veth0 metric 1024 removed", lines);

        await ns.IpAsync("link del veth0");
        lines = await WaitForAsync(monitor, s => s.Addresses.Count == 0, ct);
        Assert.Contains("address 10.77.0.2/24 on veth0 removed", lines);
    }

    [Fact]
    public async Task Recovers_from_a_real_ENOBUFS_with_a_full_resync()
    {
        LabNetworkNamespace.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        await using var ns = await LabNetworkNamespace.CreateAsync();
        await ns.IpAsync("link add veth0 type veth peer name veth1");
        await ns.IpAsync("link set veth1 up");
        await ns.IpAsync("link set veth0 up");

        // A tiny receive queue (the kernel raises it to its minimum) that cannot hold thousands of notifications.
        var gated = new GatedTransport(NetlinkSocket.OpenInNamespace(ns.Path, NetlinkProtocol.Route, NetlinkConstants.MonitorGroups, receiveBufferBytes: 4096));
        await using var monitor = new LocalNetworkMonitor(() => gated);
        await monitor.StartAsync(ct);
        var before = monitor.Current;

        // 1000 adds then 995 deletes: five /32 addresses survive.
        var batch = Path.GetTempFileName();
        try
        {
            var adds = Enumerable.Range(0, 1000).Select(i => $"10.88.{i / 250}.{(i % 250) + 1}").ToList();
            var survivors = adds.TakeLast(5).ToHashSet(StringComparer.Ordinal);
            await File.WriteAllLinesAsync(
                batch,
                [.. adds.Select(a => $"addr add {a}/32 dev veth0"), .. adds.Where(a => !survivors.Contains(a)).Select(a => $"addr del {a}/32 dev veth0")],
                ct);

            gated.Close();
            await ns.IpBatchAsync(batch);
            gated.Open();

            // Notifications queued before the overflow may still be delivered (and reported) first.
            List<string> lines;
            try
            {
                lines = await WaitForAsync(monitor, s => s.Addresses.Select(a => a.Address.ToString()).ToHashSet(StringComparer.Ordinal).SetEquals(survivors), ct);
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"overflows {gated.Overflows}, dumps {monitor.DumpCount}, receives {gated.Receives}, last error {gated.LastError}: {ex.Message}", ex);
            }

            Assert.True(gated.Overflows >= 1, "the kernel should have reported ENOBUFS");
            Assert.True(monitor.DumpCount >= 2, "an overflow must trigger a full re-dump");
            Assert.Equal(survivors.Order(StringComparer.Ordinal), monitor.Current.Addresses.Select(a => a.Address.ToString()).Order(StringComparer.Ordinal));
            Assert.All(monitor.Current.Addresses, a => Assert.Equal(32, a.PrefixLength));
            Assert.NotEqual(before.Fingerprint, monitor.Current.Fingerprint);
            Assert.All(survivors, s => Assert.Contains($"address {s}/32 on veth0 added", lines));
        }
        finally
        {
            File.Delete(batch);
        }
    }

    private static string? GatewayMac(LocalNetworkSnapshot snapshot) =>
        snapshot.DefaultRoutes.SingleOrDefault(r => r.Family == AddressFamily.InterNetwork)?.GatewayMac;

    /// <summary>Reads changes until one leads to a snapshot satisfying <paramref name="condition"/>; returns every difference line seen.</summary>
    private static async Task<List<string>> WaitForAsync(LocalNetworkMonitor monitor, Func<LocalNetworkSnapshot, bool> condition, CancellationToken ct)
    {
        var lines = new List<string>();
        LocalNetworkChange change;
        do
        {
            change = await NextChangeAsync(monitor, ct);
            lines.AddRange(change.Differences);
        }
        while (!condition(change.After));

        return lines;
    }

    private static async Task<LocalNetworkChange> NextChangeAsync(LocalNetworkMonitor monitor, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Patience);
        try
        {
            return await monitor.Changes.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no change within {Patience}; current snapshot:\n{monitor.Current.Fingerprint}");
        }
    }
}
