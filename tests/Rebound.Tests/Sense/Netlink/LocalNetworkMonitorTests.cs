using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rebound.Sense.Netlink;
using static Rebound.Sense.Netlink.NetlinkConstants;
using static Rebound.Tests.Sense.Netlink.NetlinkBytes;
using static Rebound.Transport.Netlink.NetlinkFraming;

namespace Rebound.Tests.Sense.Netlink;

public sealed class LocalNetworkMonitorTests : IAsyncLifetime
{
    private const string RouterMac = "aa:bb:cc:00:00:01";
    private readonly FakeNetlinkTransport _kernel = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<FakeNetlinkTransport> _opened = [];
    private LocalNetworkMonitor _monitor = null!;

    public LocalNetworkMonitorTests()
    {
        _kernel.Tables[RtmGetLink].AddRange(
        [
            Link(RtmNewLink, 1, IffUp | IffLoopback, "lo"),
            Link(RtmNewLink, 2, IffUp, "eth0", Mac("02:00:00:00:00:02")),
        ]);
        _kernel.Tables[RtmGetAddr].AddRange(
        [
            Address(RtmNewAddr, 1, "127.0.0.1", 8, scope: 254),
            Address(RtmNewAddr, 1, "::1", 128),                      // loopback device: skipped even at scope 0
            Address(RtmNewAddr, 2, "192.0.2.5", 24),
            Address(RtmNewAddr, 2, "fe80::5", 64, scope: 253),       // link scope: skipped
            Address(RtmNewAddr, 2, "2001:db8::5", 64, extendedFlags: IfaFTentative), // DAD not finished: skipped
            Address(RtmNewAddr, 2, "2001:db8::6", 64),
        ]);
        _kernel.Tables[RtmGetRoute].AddRange(
        [
            Route(RtmNewRoute, "192.0.2.1", 2, priority: 100),
            Route(RtmNewRoute, null, 2, dstLen: 24, destination: "192.0.2.0"), // not a default route
            Route(RtmNewRoute, "192.0.2.99", 2, table: 100),                  // not the main table
            Route(RtmNewRoute, "fe80::1", 2, family: NetlinkConstants.AfInet6, priority: 1024),
        ]);
        _kernel.Tables[RtmGetNeigh].AddRange(
        [
            Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudReachable, Mac(RouterMac)),
            Neighbour(RtmNewNeigh, 2, "192.0.2.77", NudReachable, Mac("aa:bb:cc:00:00:77")),
        ]);
    }

    public async ValueTask InitializeAsync()
    {
        _monitor = new LocalNetworkMonitor(
            () =>
            {
                var transport = _opened.Count == 0 ? _kernel : Reopened();
                _opened.Add(transport);
                return transport;
            },
            new LocalNetworkMonitorOptions { ReopenDelay = TimeSpan.FromSeconds(5) },
            _time);
        await _monitor.StartAsync(TestContext.Current.CancellationToken);
        await _kernel.WaitIdleAsync();
    }

    public async ValueTask DisposeAsync() => await _monitor.DisposeAsync();

    private FakeNetlinkTransport Reopened()
    {
        var fresh = new FakeNetlinkTransport();
        foreach (var (type, messages) in _kernel.Tables)
        {
            fresh.Tables[type].AddRange(messages);
        }

        return fresh;
    }

    [Fact]
    public void Initial_dump_builds_the_snapshot_without_emitting_a_change()
    {
        Assert.Equal([RtmGetLink, RtmGetAddr, RtmGetRoute, RtmGetNeigh], _kernel.DumpRequests);
        var snapshot = _monitor.Current;

        Assert.Equal(
            ["192.0.2.5/24 eth0", "2001:db8::6/64 eth0"],
            snapshot.Addresses.Select(a => $"{a.Address}/{a.PrefixLength} {a.InterfaceName}").Order(StringComparer.Ordinal));
        Assert.Equal(2, snapshot.DefaultRoutes.Count);
        var v4 = snapshot.DefaultRoutes.Single(r => r.Family == AddressFamily.InterNetwork);
        Assert.Equal(new DefaultRoute(AddressFamily.InterNetwork, IPAddress.Parse("192.0.2.1"), 2, "eth0", 100, RouterMac), v4);
        var v6 = snapshot.DefaultRoutes.Single(r => r.Family == AddressFamily.InterNetworkV6);
        Assert.Equal(new DefaultRoute(AddressFamily.InterNetworkV6, IPAddress.Parse("fe80::1"), 2, "eth0", 1024, null), v6);
        Assert.False(_monitor.Changes.TryRead(out _));
    }

    [Fact]
    public async Task An_added_address_emits_one_change_naming_it()
    {
        var before = _monitor.Current;
        _kernel.Inject(Address(RtmNewAddr, 2, "192.0.2.6", 24));

        var change = await NextChangeAsync();

        Assert.Equal(["address 192.0.2.6/24 on eth0 added"], change.Differences);
        Assert.Same(before, change.Before);
        Assert.Same(_monitor.Current, change.After);
        await _kernel.WaitIdleAsync();
        Assert.False(_monitor.Changes.TryRead(out _));
    }

    [Fact]
    public async Task An_IPv4_secondary_address_counts_but_an_IPv6_privacy_address_does_not()
    {
        // 0x01 is IFA_F_SECONDARY for IPv4 and IFA_F_TEMPORARY for IPv6: same bit, opposite meaning here.
        _kernel.Inject(Address(RtmNewAddr, 2, "2001:db8::99", 64, ifaFlags: 0x01));
        await _kernel.WaitIdleAsync();
        Assert.False(_monitor.Changes.TryRead(out _));

        _kernel.Inject(Address(RtmNewAddr, 2, "192.0.2.7", 24, ifaFlags: 0x01));
        var change = await NextChangeAsync();
        Assert.Equal(["address 192.0.2.7/24 on eth0 added"], change.Differences);
    }

    [Fact]
    public async Task Irrelevant_events_do_not_emit()
    {
        _kernel.Inject(
            Address(RtmNewAddr, 2, "fe80::9", 64, scope: 253),
            Address(RtmNewAddr, 2, "2001:db8::9", 64, extendedFlags: IfaFTentative),
            Route(RtmNewRoute, null, 2, dstLen: 16, destination: "198.51.0.0"),
            Route(RtmNewRoute, "192.0.2.1", 2, table: 100),
            Link(RtmNewLink, 2, IffUp, "eth0"),
            Link(RtmDelLink, 2, 0, "eth0", family: 7)); // AF_BRIDGE port removal, not the device
        await _kernel.WaitIdleAsync();

        Assert.False(_monitor.Changes.TryRead(out _));
    }

    [Fact]
    public async Task Neighbour_state_churn_of_the_gateway_does_not_emit()
    {
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudStale, Mac(RouterMac)));
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudDelay, Mac(RouterMac)));
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudProbe, Mac(RouterMac)));
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudReachable, Mac(RouterMac)));
        _kernel.Inject(Neighbour(RtmDelNeigh, 2, "192.0.2.1", NudStale, Mac(RouterMac))); // garbage-collected
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudIncomplete, null));
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudFailed, null));
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.77", NudReachable, Mac("aa:bb:cc:00:00:78"))); // not a gateway
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudReachable, Mac(RouterMac)));
        await _kernel.WaitIdleAsync();

        Assert.False(_monitor.Changes.TryRead(out _));
        Assert.Equal(RouterMac, _monitor.Current.DefaultRoutes.Single(r => r.Family == AddressFamily.InterNetwork).GatewayMac);
    }

    [Fact]
    public async Task A_different_gateway_mac_emits_a_change()
    {
        _kernel.Inject(Neighbour(RtmDelNeigh, 2, "192.0.2.1", NudStale, Mac(RouterMac)));
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "192.0.2.1", NudReachable, Mac("aa:bb:cc:00:00:02")));

        var change = await NextChangeAsync();

        Assert.Equal([$"gateway 192.0.2.1 MAC changed from {RouterMac} to aa:bb:cc:00:00:02"], change.Differences);
    }

    [Fact]
    public async Task Learning_the_gateway_mac_is_silent_but_a_different_mac_is_a_change()
    {
        // ARP/ND resolving the gateway for the first time is not a change of network...
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "fe80::1", NudReachable, Mac("aa:bb:cc:00:00:06")));
        await _kernel.WaitIdleAsync();
        Assert.False(_monitor.Changes.TryRead(out _));
        Assert.Equal("aa:bb:cc:00:00:06", _monitor.Current.DefaultRoutes.Single(r => r.Family == AddressFamily.InterNetworkV6).GatewayMac);

        // ...but another box answering for the gateway address is.
        _kernel.Inject(Neighbour(RtmNewNeigh, 2, "fe80::1", NudReachable, Mac("aa:bb:cc:00:00:07")));
        var change = await NextChangeAsync();
        Assert.Equal(["gateway fe80::1 MAC changed from aa:bb:cc:00:00:06 to aa:bb:cc:00:00:07"], change.Differences);
    }

    [Fact]
    public async Task Replacing_the_ipv4_gateway_swaps_the_route_and_forgets_the_old_mac()
    {
        // ip route replace: one RTM_NEWROUTE with NLM_F_REPLACE and no RTM_DELROUTE for the old route.
        _kernel.Inject(Route(RtmNewRoute, "192.0.2.254", 2, priority: 100, flags: NlmFReplace | 0x400));

        var change = await NextChangeAsync();

        Assert.Equal(
            ["default ipv4 route via 192.0.2.1 dev eth0 metric 100 removed", "default ipv4 route via 192.0.2.254 dev eth0 metric 100 added"],
            change.Differences);
        Assert.Null(_monitor.Current.DefaultRoutes.Single(r => r.Family == AddressFamily.InterNetwork).GatewayMac);
    }

    [Fact]
    public async Task A_multipath_default_route_reports_each_path()
    {
        _kernel.Inject(
            Link(RtmNewLink, 3, IffUp, "wan2"),
            Route(RtmDelRoute, "192.0.2.1", 2, priority: 100),
            Route(RtmNewRoute, null, 0, priority: 100, nextHops: [("192.0.2.1", 2), ("198.51.100.1", 3)]));

        var change = await NextChangeAsync();

        Assert.Equal(["default ipv4 route via 198.51.100.1 dev wan2 metric 100 added"], change.Differences);
        Assert.Equal(RouterMac, change.After.DefaultRoutes.Single(r => r.InterfaceName == "eth0" && r.Family == AddressFamily.InterNetwork).GatewayMac);
    }

    [Fact]
    public async Task Taking_down_a_link_of_a_multipath_route_triggers_a_dump()
    {
        _kernel.Inject(Route(RtmNewRoute, null, 0, priority: 100, flags: NlmFReplace, nextHops: [("192.0.2.1", 2), ("198.51.100.1", 3)]));
        await _kernel.WaitIdleAsync();
        _kernel.DumpRequests.Clear();

        _kernel.Inject(Link(RtmNewLink, 3, 0, "wan2"));
        await _kernel.WaitIdleAsync();

        Assert.Equal(4, _kernel.DumpRequests.Count);
    }

    [Fact]
    public async Task Deleting_a_link_drops_its_addresses_and_routes()
    {
        _kernel.Inject(Link(RtmDelLink, 2, 0, "eth0"));

        var change = await NextChangeAsync();

        Assert.Empty(change.After.Addresses);
        Assert.Empty(change.After.DefaultRoutes);
        Assert.Contains("default ipv4 route via 192.0.2.1 dev eth0 metric 100 removed", change.Differences);
        Assert.Contains("address 192.0.2.5/24 on eth0 removed", change.Differences);
    }

    [Fact]
    public async Task Overflow_redumps_and_emits_one_change_for_the_new_state()
    {
        // While notifications were being dropped, the kernel moved on: new address, IPv6 route gone.
        _kernel.Tables[RtmGetAddr].Add(Address(RtmNewAddr, 2, "198.51.100.7", 24));
        _kernel.Tables[RtmGetRoute].RemoveAt(3);
        _kernel.DumpRequests.Clear();

        _kernel.InjectOverflow();
        var change = await NextChangeAsync();

        Assert.Equal([RtmGetLink, RtmGetAddr, RtmGetRoute, RtmGetNeigh], _kernel.DumpRequests);
        Assert.Equal(2, _monitor.DumpCount);
        Assert.Equal(
            ["address 198.51.100.7/24 on eth0 added", "default ipv6 route via fe80::1 dev eth0 metric 1024 removed"],
            change.Differences);
        Assert.Equal(RouterMac, change.After.DefaultRoutes.Single().GatewayMac);
        await _kernel.WaitIdleAsync();
        Assert.False(_monitor.Changes.TryRead(out _));
    }

    [Fact]
    public async Task Overflow_without_a_net_change_redumps_silently_and_keeps_the_gateway_mac()
    {
        var before = _monitor.Current.Fingerprint;
        _kernel.Tables[RtmGetNeigh].Clear(); // the router's entry was garbage-collected meanwhile

        _kernel.InjectOverflow();
        await _kernel.WaitIdleAsync();

        Assert.Equal(2, _monitor.DumpCount);
        Assert.Equal(before, _monitor.Current.Fingerprint);
        Assert.False(_monitor.Changes.TryRead(out _));
    }

    [Fact]
    public async Task An_interrupted_dump_is_retried()
    {
        _kernel.DumpRequests.Clear();
        _kernel.NextDumpExtraFlags = NlmFDumpIntr;

        _kernel.InjectOverflow();
        await _kernel.WaitIdleAsync();

        Assert.Equal(8, _kernel.DumpRequests.Count);
        Assert.Equal(2, _monitor.DumpCount);
    }

    [Fact]
    public async Task An_overflow_during_a_dump_finishes_that_dump_then_starts_over()
    {
        _kernel.DumpRequests.Clear();
        _kernel.OverflowDuringNextDump = true;
        _kernel.Tables[RtmGetAddr].Add(Address(RtmNewAddr, 2, "198.51.100.9", 24));

        _kernel.InjectOverflow();
        var change = await NextChangeAsync();

        Assert.Equal(0, _kernel.OverlappingDumpRequests);
        Assert.Equal(8, _kernel.DumpRequests.Count);
        Assert.Equal(2, _monitor.DumpCount);
        Assert.Equal(["address 198.51.100.9/24 on eth0 added"], change.Differences);
    }

    [Fact]
    public async Task A_broken_socket_is_reopened_after_the_delay_via_the_time_provider()
    {
        _kernel.Tables[RtmGetAddr].Add(Address(RtmNewAddr, 2, "198.51.100.8", 24));
        _kernel.InjectFailure();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Single(_opened); // the monitor now waits ReopenDelay on the fake clock; nothing happens until time moves

        for (var i = 0; i < 200 && _opened.Count < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, _opened.Count);
        Assert.True(_kernel.Disposed);
        var change = await NextChangeAsync();
        Assert.Equal(["address 198.51.100.8/24 on eth0 added"], change.Differences);
    }

    [Fact]
    public async Task A_dump_that_never_finishes_times_out_and_the_socket_is_reopened()
    {
        _kernel.SwallowNextDump = true;
        _kernel.Tables[RtmGetAddr].Add(Address(RtmNewAddr, 2, "198.51.100.10", 24));
        _kernel.InjectOverflow();
        await _kernel.WaitIdleAsync(); // waiting for a reply that will not come

        Assert.Single(_opened);
        for (var i = 0; i < 200 && _opened.Count < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5)); // past DumpTimeout (30 s), then past ReopenDelay
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, _opened.Count);
        Assert.True(_kernel.Disposed);
        var change = await NextChangeAsync();
        Assert.Equal(["address 198.51.100.10/24 on eth0 added"], change.Differences);
    }

    private async Task<LocalNetworkChange> NextChangeAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _monitor.Changes.ReadAsync(timeout.Token);
    }
}
