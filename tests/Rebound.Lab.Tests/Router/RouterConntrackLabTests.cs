using System.Net;
using System.Net.Sockets;
using Rebound.Act.Heal;
using Rebound.Act.Router;
using Rebound.Lab.Tests.Harness;
using Rebound.Sense.Netlink;
using Rebound.Transport;
using Rebound.Transport.Netlink;

namespace Rebound.Lab.Tests.Router;

/// <summary>
/// Router mode on the lab's real router namespace in "pinned" mode (static SNAT per WAN): a long-lived UDP flow
/// from the LAN host stays translated to the dead WAN1 address after the default route moves to WAN2, until
/// RouterConntrackTarget deletes its entry; a flow already on WAN2 keeps its entry (same CTA_ID).
/// The UDP sockets are created inside the lab's namespaces (setns on a throwaway thread) and used from here.
/// </summary>
public sealed class RouterConntrackLabTests
{
    private const int ServerPort = 5555;
    private const int PinnedPort = 40000;
    private const int LivePort = 40002;
    private static readonly IPAddress Server = IPAddress.Parse("203.0.113.10");
    private static readonly IPAddress Wan1 = IPAddress.Parse(FailoverLab.Wan1Address);
    private static readonly IPAddress Wan2 = IPAddress.Parse(FailoverLab.Wan2Address);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Fact]
    public Task Ctnetlink_flush_remaps_the_pinned_flow_and_leaves_the_live_wans_entry() =>
        RunAsync(routerNs => new NetlinkConntrackTable(() => NetlinkSocket.OpenInNamespace(routerNs, NetlinkProtocol.Netfilter)), "via ctnetlink");

    [Fact]
    public Task Conntrack_tool_fallback_remaps_the_pinned_flow_when_ctnetlink_fails() =>
        RunAsync(
            routerNs => new FallbackConntrackTable(
                new NetlinkConntrackTable(() => throw new SocketException((int)SocketError.AccessDenied)),
                new ConntrackToolTable(["ip", "netns", "exec", Path.GetFileName(routerNs), "conntrack"])),
            "via conntrack tool (ctnetlink failed: cannot open a ctnetlink socket:");

    private static async Task RunAsync(Func<string, IConntrackTable> createTable, string expectedVia)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, ct);
        var lanNs = $"/var/run/netns/{lab.LanNamespace}";
        var routerNs = $"/var/run/netns/{lab.RouterNamespace}";
        var internetNs = $"/var/run/netns/{lab.InternetNamespace}";
        using var server = Udp(internetNs, new IPEndPoint(Server, ServerPort));
        using var pinned = Udp(lanNs, new IPEndPoint(IPAddress.Parse("10.77.0.2"), PinnedPort));
        using var live = Udp(lanNs, new IPEndPoint(IPAddress.Parse("10.77.0.2"), LivePort));
        var serverEndPoint = new IPEndPoint(Server, ServerPort);
        await using var monitor = new LocalNetworkMonitor(() => NetlinkSocket.OpenInNamespace(routerNs, NetlinkProtocol.Route, NetlinkConstants.MonitorGroups));
        await monitor.StartAsync(ct);
        var netlink = new NetlinkConntrackTable(() => NetlinkSocket.OpenInNamespace(routerNs, NetlinkProtocol.Netfilter));

        // The flow is established through WAN1.
        await pinned.SendToAsync("before"u8.ToArray(), serverEndPoint, ct);
        Assert.Equal(new IPEndPoint(Wan1, PinnedPort), (await ReceiveAsync(server, ct))?.From);
        var before = monitor.Current;
        Assert.Contains(before.DefaultRoutes, r => r.InterfaceName == "wan1");

        await lab.FailoverAsync(ct);
        var after = await WaitForAsync(monitor, s => s.DefaultRoutes.Any(r => r.InterfaceName == "wan2"), ct);

        // A flow started after the switch goes out WAN2 (the live WAN).
        await live.SendToAsync("live"u8.ToArray(), serverEndPoint, ct);
        Assert.Equal(Wan2, (await ReceiveAsync(server, ct))?.From.Address);

        // Baseline: the old flow stays pinned to WAN1's address and dies at ISP2's ingress filter.
        for (var i = 0; i < 3; i++)
        {
            await pinned.SendToAsync("pinned"u8.ToArray(), serverEndPoint, ct);
        }

        Assert.Null(await ReceiveAsync(server, ct));
        var entries = await netlink.ListAsync(ct);
        var pinnedEntry = Assert.Single(entries, e => e.Original.SourcePort == PinnedPort && e.Original.Protocol == 17);
        Assert.Equal(Wan1, pinnedEntry.Reply.Destination);
        var liveEntry = Assert.Single(entries, e => e.Original.SourcePort == LivePort && e.Original.Protocol == 17);
        Assert.Equal(Wan2, liveEntry.Reply.Destination);

        // Router mode: diagnose, flush, verify.
        var target = new RouterConntrackTarget(createTable(routerNs));
        var trigger = new HealTrigger(DateTimeOffset.UtcNow, HealReason.LocalNetworkChanged, null, null, null, true, after, before);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var diagnosis = await target.DiagnoseAsync(trigger, ct);
        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Contains("1 entry translated to departed 198.51.100.2 (wan1); default ipv4 via 198.51.100.1 dev wan1 -> via 192.0.2.1 dev wan2", diagnosis.Evidence);
        var detail = await target.Ladder[0].RunAsync(trigger, ct);
        Assert.StartsWith($"deleted 1 entry translated to 198.51.100.2 {expectedVia}", detail, StringComparison.Ordinal);
        var check = await target.VerifyAsync(trigger, ct);
        Assert.True(check.Ok, check.Evidence);
        TestContext.Current.TestOutputHelper?.WriteLine($"diagnose+flush+verify {clock.Elapsed.TotalMilliseconds:0.0} ms: {detail}");

        // The same socket's next packet is translated afresh: out WAN2, and it reaches the server.
        await pinned.SendToAsync("after"u8.ToArray(), serverEndPoint, ct);
        var remapped = await ReceiveAsync(server, ct);
        Assert.NotNull(remapped);
        Assert.Equal(Wan2, remapped.Value.From.Address);
        Assert.Equal("after", remapped.Value.Text);

        // The live WAN's entry is the very same entry as before.
        var liveAfter = Assert.Single(await netlink.ListAsync(ct), e => e.Original.SourcePort == LivePort && e.Original.Protocol == 17);
        Assert.Equal(liveEntry.Id, liveAfter.Id);
        Assert.Equal(liveEntry.Reply, liveAfter.Reply);
    }

    internal static Socket Udp(string namespacePath, IPEndPoint bind) =>
        NetworkNamespace.Run(namespacePath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(bind);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });

    /// <summary>The next datagram within <see cref="Quiet"/>, or null when none came.</summary>
    internal static async Task<(IPEndPoint From, string Text)?> ReceiveAsync(Socket server, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Quiet);
        var buffer = new byte[1500];
        try
        {
            var r = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return ((IPEndPoint)r.RemoteEndPoint, System.Text.Encoding.ASCII.GetString(buffer, 0, r.ReceivedBytes));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<LocalNetworkSnapshot> WaitForAsync(LocalNetworkMonitor monitor, Func<LocalNetworkSnapshot, bool> condition, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition(monitor.Current))
        {
            await monitor.Changes.ReadAsync(timeout.Token);
        }

        return monitor.Current;
    }
}
