using Rebound.Sense.Netlink;

namespace Rebound.Tests.Sense.Netlink;

/// <summary>Talks to the real kernel: dumps need no privileges, so this runs unprivileged.</summary>
public sealed class RtnetlinkSocketTests
{
    [Fact]
    public async Task A_link_dump_of_this_namespace_sees_lo()
    {
        var ct = TestContext.Current.CancellationToken;
        using var socket = RtnetlinkSocket.Open(groups: 0);
        Assert.NotEqual(0u, socket.PortId);

        await socket.SendAsync(NetlinkCodec.CreateDumpRequest(NetlinkConstants.RtmGetLink, 77), ct);
        var links = new List<LinkMessage>();
        var buffer = new byte[256 * 1024];
        var done = false;
        while (!done)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var length = await socket.ReceiveAsync(buffer, timeout.Token);
            var result = NetlinkCodec.Parse(buffer.AsSpan(0, length));
            Assert.True(result.IsComplete, result.Error);
            foreach (var message in result.Messages)
            {
                Assert.Equal(77u, message.Header.Sequence);
                Assert.Equal(socket.PortId, message.Header.PortId);
                done |= message is DoneMessage;
                if (message is LinkMessage link)
                {
                    links.Add(link);
                }
            }
        }

        var lo = Assert.Single(links, l => l.Name == "lo");
        Assert.True(lo.IsLoopback);
    }

    [Fact]
    public async Task The_monitor_starts_on_the_real_socket_of_this_namespace()
    {
        await using var monitor = new LocalNetworkMonitor();
        await monitor.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, monitor.DumpCount);
        Assert.DoesNotContain(monitor.Current.Addresses, a => System.Net.IPAddress.IsLoopback(a.Address));
    }
}
