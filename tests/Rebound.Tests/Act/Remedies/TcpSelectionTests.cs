using System.Net;
using Rebound.Act.Remedies;

namespace Rebound.Tests.Act.Remedies;

public sealed class TcpSelectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 13, 0, 0, TimeSpan.Zero);

    private static InetDiagSocket Socket(string local, string remote, uint inode, uint silentMs, byte state = InetDiagConstants.TcpEstablished) =>
        new(InetDiagConstants.AfInet, state, IPEndPoint.Parse(local), IPEndPoint.Parse(remote), 0, inode, 0, inode)
        {
            Times = new TcpTimes(silentMs, silentMs, 0),
        };

    private static readonly Dictionary<uint, SocketOwner> Owners = new()
    {
        [1] = new SocketOwner(100, "tailscaled"),
        [2] = new SocketOwner(100, "tailscaled"),
        [3] = new SocketOwner(200, "curl"),
        [4] = new SocketOwner(100, "tailscaled"),
        [5] = new SocketOwner(100, "tailscaled"),
    };

    [Fact]
    public void Destroys_only_the_owners_connections_silent_since_the_change()
    {
        var sockets = new[]
        {
            Socket("10.77.0.2:40001", "203.0.113.80:443", 1, 5000),   // silent 5 s, change 2 s ago: dead
            Socket("10.77.0.2:40002", "203.0.113.80:443", 2, 500),    // heard 0.5 s ago: alive (or new)
            Socket("10.77.0.2:40003", "203.0.113.80:443", 3, 5000),   // another process
            Socket("127.0.0.1:40004", "127.0.0.1:41112", 4, 5000),    // loopback: never
            Socket("10.77.0.2:40005", "203.0.113.80:443", 5, 5000, state: 2), // SYN_SENT: being made now
        };

        var selection = SockDiagTcpResetter.Select(sockets, Owners, new TcpResetRequest(Now - TimeSpan.FromSeconds(2)) { OwnerPids = [100] }, Now);

        Assert.Equal([1u], selection.Victims.Select(v => v.Inode));
        Assert.Equal(2, selection.Matched);
        Assert.Equal(1, selection.SparedHeardSince);
    }

    [Fact]
    public void Remote_ports_and_local_addresses_narrow_it_down()
    {
        var sockets = new[]
        {
            Socket("10.77.0.2:40001", "203.0.113.80:443", 1, 9000),
            Socket("10.77.0.2:40002", "203.0.113.80:80", 2, 9000),
            Socket("10.88.0.2:40003", "203.0.113.80:443", 3, 9000),
        };

        var selection = SockDiagTcpResetter.Select(sockets, Owners,
            new TcpResetRequest(Now - TimeSpan.FromSeconds(1)) { RemotePorts = [443], LocalAddresses = [IPAddress.Parse("10.77.0.2")] }, Now);

        Assert.Equal([1u], selection.Victims.Select(v => v.Inode));
    }

    [Fact]
    public void Data_unacknowledged_past_the_grace_is_dead_even_when_heard_from_since_the_change()
    {
        var change = Now - TimeSpan.FromSeconds(3);
        InetDiagSocket With(uint inode, uint lastAckMs, uint unacked) => Socket("10.77.0.2:4000" + inode, "203.0.113.80:443", inode, lastAckMs) with { Times = new TcpTimes(lastAckMs, lastAckMs, unacked) };
        var sockets = new[]
        {
            With(1, 1600, 1), // heard 1.6 s ago (after the change), its request since then unanswered for 1.6 s: dead
            With(2, 400, 1),  // request out for 0.4 s: not yet known
            With(3, 1600, 0), // heard after the change, nothing outstanding: alive
        };

        var selection = SockDiagTcpResetter.Select(sockets, Owners, new TcpResetRequest(change) { RemotePorts = [443] }, Now);

        Assert.Equal([1u], selection.Victims.Select(v => v.Inode));
        Assert.Equal(1, selection.Undecided);
        Assert.Equal(1, selection.SparedHeardSince);
    }

    [Fact]
    public void A_socket_without_tcp_info_is_spared()
    {
        var bare = Socket("10.77.0.2:40001", "203.0.113.80:443", 1, 0) with { Times = null };

        var selection = SockDiagTcpResetter.Select([bare], Owners, new TcpResetRequest(Now) { RemotePorts = [443] }, Now);

        Assert.Empty(selection.Victims);
        Assert.Equal(1, selection.SparedHeardSince);
    }

    [Fact]
    public async Task Refuses_a_request_without_owner_or_port()
    {
        var resetter = new SockDiagTcpResetter(() => throw new InvalidOperationException("must not open"));

        await Assert.ThrowsAsync<ArgumentException>(async () => await resetter.ResetAsync(new TcpResetRequest(Now), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Socket_links_name_their_inode()
    {
        Assert.Equal(57198u, SocketOwners.ParseSocketLink("socket:[57198]"));
        Assert.Null(SocketOwners.ParseSocketLink("pipe:[57198]"));
        Assert.Null(SocketOwners.ParseSocketLink("socket:[x]"));
        Assert.Null(SocketOwners.ParseSocketLink(null));
    }

    [Fact]
    public void Owners_are_read_from_proc_fd_links()
    {
        var root = Directory.CreateTempSubdirectory("rebound-proc-");
        try
        {
            var fd = Directory.CreateDirectory(Path.Combine(root.FullName, "4321", "fd"));
            File.WriteAllText(Path.Combine(root.FullName, "4321", "comm"), "nebula\n");
            File.CreateSymbolicLink(Path.Combine(fd.FullName, "3"), "socket:[777]");
            File.CreateSymbolicLink(Path.Combine(fd.FullName, "4"), "/dev/null");
            Directory.CreateDirectory(Path.Combine(root.FullName, "self"));

            var owners = new SocketOwners(root.FullName).Read();

            Assert.Equal(new SocketOwner(4321, "nebula"), Assert.Single(owners).Value);
            Assert.Equal(777u, owners.Keys.Single());
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
