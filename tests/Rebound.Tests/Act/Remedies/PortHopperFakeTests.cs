using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Commands;
using Rebound.Act.Remedies;
using Rebound.Act.Router;

namespace Rebound.Tests.Act.Remedies;

/// <summary>
/// <see cref="PortHopper"/> against a fake nft (answers list requests from a JSON it is given, records scripts) and a
/// fake host conntrack table (entries and deletes by id, plus leaks that reappear as a real kernel would make them).
/// The real nft and kernel: tests/Rebound.Lab.Tests/Heal.
/// </summary>
public sealed class PortHopperFakeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly IPAddress Lan = IPAddress.Parse("10.77.0.2");
    private static readonly IPAddress Echo = IPAddress.Parse("203.0.113.40");

    private static ConntrackEntry Udp(uint id, ushort sport, ushort translatedTo, uint status = 0) =>
        new(ConntrackConstants.AfInet,
            new ConntrackTuple(Lan, Echo, ConntrackConstants.IpprotoUdp, sport, 7),
            new ConntrackTuple(Echo, Lan, ConntrackConstants.IpprotoUdp, 7, translatedTo),
            status, id, 0);

    [Fact]
    public async Task Hop_creates_the_table_deletes_the_old_entry_and_sweeps_a_leak()
    {
        var nft = new FakeNftRunner { ListJson = null };
        var conntrack = new FakeHostConntrack();
        conntrack.Entries.Add(Udp(1, 4242, 4242));
        conntrack.Entries.Add(Udp(2, 5353, 5353)); // another port: untouched
        conntrack.LeakAfterDelete = Udp(3, 4242, 4242); // one packet left by the old path before the rule caught it
        var time = new FakeTimeProvider();
        var hopper = new PortHopper(new HopPortOptions { LeakCheckInterval = TimeSpan.Zero }, nft, conntrack, time, _ => false);

        var result = await hopper.HopAsync(new HopRequest([4242], AddressFamily.InterNetwork, IPAddress.Parse("192.0.2.2")), Ct);

        Assert.True(result.Applied, result.Detail);
        Assert.Equal(2, result.Deleted);
        Assert.Equal(3, result.Sweeps); // delete, find the leak and delete it, find nothing
        Assert.Equal(0, result.Leaking);
        Assert.Equal([2u], conntrack.Entries.Select(e => e.Id));
        var script = Assert.Single(nft.Scripts);
        Assert.Contains("set active4 { type inet_service; elements = { 4242 } }", script, StringComparison.Ordinal);
        Assert.Contains("set hopped { type inet_service; elements = { 4242 } }", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hop_into_an_existing_table_only_adds_elements()
    {
        var nft = new FakeNftRunner { ListJson = RemedyVectors.NftTableJson };
        var hopper = new PortHopper(new HopPortOptions { LeakCheckInterval = TimeSpan.Zero }, nft, new FakeHostConntrack(), new FakeTimeProvider(), _ => false);

        var result = await hopper.HopAsync(new HopRequest([27015], AddressFamily.InterNetwork, null), Ct);

        Assert.True(result.Applied);
        var script = Assert.Single(nft.Scripts);
        // The keeper (handle 5) stays; the two masquerade rules (handles 6, 7) move to the next port block.
        Assert.StartsWith("delete rule inet rebound_hop postrouting handle 6\ndelete rule inet rebound_hop postrouting handle 7\nadd rule inet rebound_hop postrouting meta nfproto ipv4 udp sport @active4 masquerade to :4", script, StringComparison.Ordinal);
        Assert.DoesNotContain("handle 5", script, StringComparison.Ordinal);
        Assert.EndsWith("add element inet rebound_hop active4 { 27015 }\nadd element inet rebound_hop hopped { 27015 }\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_hop_takes_the_next_block_of_the_range_so_a_quick_second_hop_never_reuses_a_port()
    {
        var nft = new FakeNftRunner { ListJson = RemedyVectors.NftTableJson };
        var hopper = new PortHopper(new HopPortOptions { LeakCheckInterval = TimeSpan.Zero, PortRangeStart = 40000, PortRangeEnd = 40063, BlockSize = 16 },
            nft, new FakeHostConntrack(), new FakeTimeProvider(), _ => false);
        var ranges = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var result = await hopper.HopAsync(new HopRequest([4242], AddressFamily.InterNetwork, null), Ct);
            ranges.Add(System.Text.RegularExpressions.Regex.Match(result.Detail, @":(\d+-\d+) in table").Groups[1].Value);
        }

        Assert.Equal(4, ranges.Take(4).Distinct().Count()); // four blocks of 16, each used once
        Assert.Equal(ranges[0], ranges[4]); // then round again
        Assert.All(ranges, r => Assert.Contains(r, new[] { "40000-40015", "40016-40031", "40032-40047", "40048-40063" }));
    }

    [Fact]
    public async Task Missing_nft_no_nat_and_ipv6_without_nat_are_not_applicable()
    {
        var missing = new PortHopper(null, new FakeNftRunner { Missing = true }, new FakeHostConntrack(), new FakeTimeProvider(), _ => false);
        var r1 = await missing.HopAsync(new HopRequest([4242], AddressFamily.InterNetwork, null), Ct);
        Assert.False(r1.Applied);
        Assert.StartsWith("nftables not usable", r1.NotApplicableReason, StringComparison.Ordinal);

        var direct = new PortHopper(null, new FakeNftRunner(), new FakeHostConntrack(), new FakeTimeProvider(), a => a.Equals(IPAddress.Parse("198.51.100.9")));
        var r2 = await direct.HopAsync(new HopRequest([4242], AddressFamily.InterNetwork, IPAddress.Parse("198.51.100.9")), Ct);
        Assert.Equal("no NAT upstream: the public address 198.51.100.9 is the host's own", r2.NotApplicableReason);

        var v6 = await direct.HopAsync(new HopRequest([4242], AddressFamily.InterNetworkV6, null), Ct);
        Assert.StartsWith("IPv6 without NAT", v6.NotApplicableReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_removes_only_active_ports_and_cleanup_deletes_the_table_once_no_healed_flow_is_left()
    {
        var nft = new FakeNftRunner { ListJson = RemedyVectors.NftTableJson }; // active4 [4242], hopped [4242, 5000]
        var conntrack = new FakeHostConntrack();
        conntrack.Entries.Add(Udp(7, 5000, 40001, ConntrackConstants.StatusSrcNat)); // 5000's healed flow still lives
        var hopper = new PortHopper(null, nft, conntrack, new FakeTimeProvider(), _ => false);

        Assert.StartsWith("new flows from udp sport 4242 no longer hopped", await hopper.ReleaseAsync([4242, 5000], Ct), StringComparison.Ordinal);
        Assert.Equal("delete element inet rebound_hop active4 { 4242 }\n", nft.Scripts[^1]);

        nft.ListJson = RemedyVectors.NftTableJson.Replace(", \"elem\": [4242]}", "}", StringComparison.Ordinal); // active4 now empty
        Assert.Equal("udp sport 4242: no healed flow left, forgotten", await hopper.CleanupAsync(Ct));
        Assert.Equal("delete element inet rebound_hop hopped { 4242 }\n", nft.Scripts[^1]);
        Assert.Equal(1, await hopper.CountHealedAsync([5000], Ct));

        conntrack.Entries.Clear();
        Assert.Equal("table inet rebound_hop deleted: no hopped port and no healed flow left", await hopper.CleanupAsync(Ct));
        Assert.Equal("delete table inet rebound_hop\n", nft.Scripts[^1]);
    }

    [Fact]
    public void Untranslated_and_healed_entries_are_told_apart()
    {
        var inbound = new ConntrackEntry(ConntrackConstants.AfInet,
            new ConntrackTuple(Echo, Lan, ConntrackConstants.IpprotoUdp, 7, 4242),
            new ConntrackTuple(Lan, Echo, ConntrackConstants.IpprotoUdp, 4242, 7), 0, 9, 0);
        var entries = new[] { Udp(1, 4242, 4242), Udp(2, 4242, 40017, ConntrackConstants.StatusSrcNat), inbound };

        Assert.Equal([1u, 9u], PortHopper.Untranslated(entries, [4242], AddressFamily.InterNetwork).Select(e => e.Id));
        Assert.Empty(PortHopper.Untranslated(entries, [4242], AddressFamily.InterNetworkV6));
        Assert.Equal([2u], PortHopper.Healed(entries, [4242]).Select(e => e.Id));
    }

    [Fact]
    public void A_healed_flow_to_a_remote_on_the_same_port_is_not_a_leak()
    {
        // Nebula: 10.77.0.2:4242 -> peer:4242, hopped to 40391. By ports alone it also reads as inbound to 4242.
        var peer = IPAddress.Parse("203.0.113.31");
        var healed = new ConntrackEntry(ConntrackConstants.AfInet,
            new ConntrackTuple(Lan, peer, ConntrackConstants.IpprotoUdp, 4242, 4242),
            new ConntrackTuple(peer, Lan, ConntrackConstants.IpprotoUdp, 4242, 40391), ConntrackConstants.StatusSrcNat, 5, 0);
        var leak = new ConntrackEntry(ConntrackConstants.AfInet,
            new ConntrackTuple(Lan, peer, ConntrackConstants.IpprotoUdp, 4242, 4242),
            new ConntrackTuple(peer, Lan, ConntrackConstants.IpprotoUdp, 4242, 4242), 0, 6, 0);

        Assert.Equal([6u], PortHopper.Untranslated([healed, leak], [4242], AddressFamily.InterNetwork).Select(e => e.Id));
        Assert.Equal([5u], PortHopper.Healed([healed, leak], [4242]).Select(e => e.Id));
    }

    private sealed class FakeNftRunner : ICommandRunner
    {
        /// <summary>What <c>nft -j list table</c> prints; null: the table does not exist.</summary>
        public string? ListJson { get; set; }

        public bool Missing { get; set; }

        public List<string> Scripts { get; } = [];

        public ValueTask<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
        {
            if (Missing)
                throw new CommandStartException("nft", "No such file or directory");
            if (request.Argv.Contains("list"))
            {
                return ValueTask.FromResult(ListJson is null
                    ? new CommandResult(1, "", "Error: No such file or directory\nlist table inet rebound_hop\n", false)
                    : new CommandResult(0, ListJson, "", false));
            }

            Scripts.Add(Encoding.UTF8.GetString(request.Input!.Value.Span));
            return ValueTask.FromResult(new CommandResult(0, "", "", false));
        }
    }
}
