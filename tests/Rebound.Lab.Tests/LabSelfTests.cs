using System.Text.RegularExpressions;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// The lab checked on its own, without the CLI: coturn's turnutils_stunclient, run from the LAN host,
/// must see exactly the public address each mode promises before and after failover and failback.
/// </summary>
public sealed partial class LabSelfTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LabMode.Masquerade, "192.0.2.2")]
    [InlineData(LabMode.Pinned, "192.0.2.2")]
    [InlineData(LabMode.Renumber, "198.51.100.3")]
    [InlineData(LabMode.Blackhole, null)]
    [InlineData(LabMode.Mwan3, "192.0.2.2")]
    [InlineData(LabMode.Metric, "192.0.2.2")]
    public async Task Fresh_stun_request_sees_the_expected_address_around_failover(LabMode mode, string? failedOver)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);

        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.11", Ct));

        var over = await lab.FailoverAsync(Ct);
        Assert.Equal(failedOver, over.ExpectedPublicAddress);
        Assert.InRange(over.Time, DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(failedOver, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(failedOver, await lab.StunAsync("203.0.113.11", Ct));

        // Idempotent: a second failover changes nothing and reports the same switch.
        Assert.Equal(over, await lab.FailoverAsync(Ct));

        var back = await lab.FailbackAsync(Ct);
        Assert.Equal(FailoverLab.Wan1Address, back.ExpectedPublicAddress);
        Assert.True(back.Time > over.Time);
        Assert.Equal(back, await lab.FailbackAsync(Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.10", Ct));
        Assert.Equal(FailoverLab.Wan1Address, await lab.StunAsync("203.0.113.11", Ct));
    }

    /// <summary>What happens to an existing flow when the router fails over.</summary>
    public enum FlowFate
    {
        /// <summary>Masquerade re-evaluates the flow when its output interface changes: it moves to WAN2.</summary>
        Remapped,

        /// <summary>Static SNAT keeps its translation: it leaves WAN2 with WAN1's address, and ISP2's ingress filter drops it.</summary>
        PinnedBehindWan2,

        /// <summary>mwan3: the flow keeps its connection mark, so it still leaves by WAN1, whose upstream is dead.</summary>
        StaysOnDeadWan1,
    }

    /// <summary>
    /// A long-lived UDP flow (one socket, fixed source port, a packet every 200 ms) across failover, per mode,
    /// while a fresh socket always gets through with WAN2's address.
    /// </summary>
    [Theory]
    [InlineData(LabMode.Pinned, false, FlowFate.PinnedBehindWan2)]
    [InlineData(LabMode.Masquerade, false, FlowFate.Remapped)]
    [InlineData(LabMode.Mwan3, false, FlowFate.StaysOnDeadWan1)]
    [InlineData(LabMode.Metric, false, FlowFate.Remapped)]
    [InlineData(LabMode.Metric, true, FlowFate.PinnedBehindWan2)]
    public async Task Long_lived_udp_flow_across_failover(LabMode mode, bool staticSnat, FlowFate fate)
    {
        await using var lab = await FailoverLab.StartAsync(mode, new LabOptions { StaticSnat = staticSnat }, Ct);

        // The peer: counters in the internet namespace for UDP port 9 per source address (then dropped).
        foreach (var cmd in new[]
        {
            "add table inet peer",
            "add counter inet peer from_wan1",
            "add counter inet peer from_wan2",
            "add chain inet peer input { type filter hook input priority 0 ; }",
            "add rule inet peer input udp dport 9 ip saddr 198.51.100.2 counter name from_wan1",
            "add rule inet peer input udp dport 9 ip saddr 192.0.2.2 counter name from_wan2",
            "add rule inet peer input udp dport 9 drop",
        })
        {
            (await lab.ExecAsync("internet", ["nft", cmd], Ct)).EnsureSuccess();
        }

        // bash's /dev/udp keeps one connected socket: one source port for the whole flow (about 8 s).
        var flow = lab.ExecAsync(
            "lan",
            ["bash", "-c", "exec 3>/dev/udp/203.0.113.10/9; for i in $(seq 40); do echo ping >&3 || true; sleep 0.2; done"],
            Ct);

        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        Assert.True(await PeerPacketsAsync(lab, "from_wan1") > 0, "the flow did not reach the peer before failover");

        await lab.FailoverAsync(Ct);
        await Task.Delay(TimeSpan.FromSeconds(0.5), Ct);
        var wan1Before = await PeerPacketsAsync(lab, "from_wan1");
        var wan2Before = await PeerPacketsAsync(lab, "from_wan2");
        var deadBefore = await DeadUpstreamDroppedAsync(lab);
        var conntrack = (await lab.ExecAsync("router", ["conntrack", "-L", "-p", "udp", "--dport", "9"], Ct)).EnsureSuccess().Stdout;
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);
        var wan1After = await PeerPacketsAsync(lab, "from_wan1");
        var wan2After = await PeerPacketsAsync(lab, "from_wan2");

        // A fresh socket always gets through with WAN2's address.
        Assert.Equal(FailoverLab.Wan2Address, await lab.StunAsync("203.0.113.10", Ct));

        Assert.Equal(wan1Before, wan1After); // WAN1's upstream is dead in every mode.
        switch (fate)
        {
            case FlowFate.PinnedBehindWan2:
                // The reply direction of the flow's entry still names the dead WAN's address.
                Assert.Matches(ReplyToWan1(), conntrack);
                Assert.Equal(0, wan2After);
                Assert.True(await IngressDroppedAsync(lab) >= 5, "ISP2 ingress filtering should drop the pinned flow");
                break;
            case FlowFate.StaysOnDeadWan1:
                // Same translation, and the connection mark of WAN1 (0x100 = 256): it still leaves by WAN1.
                Assert.Matches(ReplyToWan1(), conntrack);
                Assert.Contains("mark=256", conntrack, StringComparison.Ordinal);
                Assert.Equal(0, wan2After);
                Assert.Equal(0, await IngressDroppedAsync(lab));
                Assert.True(await DeadUpstreamDroppedAsync(lab) - deadBefore >= 5, "the flow should still leave by WAN1 and die there");
                break;
            default:
                Assert.True(wan2After - wan2Before >= 5, $"the masqueraded flow was not remapped to WAN2 ({wan2After - wan2Before} packets)");
                break;
        }

        (await flow).EnsureSuccess();
    }

    [Fact]
    public async Task Down_is_idempotent_and_leaves_nothing_behind()
    {
        var lab = await FailoverLab.StartAsync(LabMode.Masquerade, Ct);
        var status = await lab.StatusAsync();
        Assert.Contains("coturn: running", status);
        await lab.DisposeAsync();
        await lab.DisposeAsync();

        var again = await ProcessRunner.RunAsync("bash", [LabEnvironment.LabScript, "down", lab.Id], TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(0, again.ExitCode);
        var namespaces = (await ProcessRunner.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10), Ct)).Stdout;
        Assert.DoesNotContain($"rb{lab.Id}", namespaces);
        Assert.False(Directory.Exists($"/run/rebound-lab/{lab.Id}"));
    }

    [Fact]
    public void Switch_line_is_parsed_to_the_nanosecond_clock()
    {
        var s = FailoverLab.ParseSwitch("switched 1764131234.123456789 public 192.0.2.2\n");
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764131234123).AddTicks(4567), s.Time);
        Assert.Equal("192.0.2.2", s.ExpectedPublicAddress);
        Assert.Null(FailoverLab.ParseSwitch("switched 1764131234.5 public none").ExpectedPublicAddress);
        Assert.Null(s.ExpectedPublicIpv6);

        var dual = FailoverLab.ParseSwitch("switched 1764131234.5 public 192.0.2.2 public6 2001:db8:2::ff:fe00:2");
        Assert.Equal("192.0.2.2", dual.ExpectedPublicAddress);
        Assert.Equal("2001:db8:2::ff:fe00:2", dual.ExpectedPublicIpv6);
        Assert.Null(FailoverLab.ParseSwitch("switched 1764131234.5 public none public6 none").ExpectedPublicIpv6);
        Assert.Throws<FormatException>(() => FailoverLab.ParseSwitch("switched 1764131234.5 public 192.0.2.2 extra 1"));
    }

    [Fact]
    public void Carrier_nat_gives_each_destination_its_own_address()
    {
        Assert.Equal("192.0.2.50", FailoverLab.CarrierNatAddressFor("203.0.113.10"));
        Assert.Equal("192.0.2.51", FailoverLab.CarrierNatAddressFor("203.0.113.11"));
        Assert.Equal("192.0.2.253", FailoverLab.CarrierNatAddressFor("203.0.113.213"));
        Assert.Equal("192.0.2.254", FailoverLab.CarrierNatAddressFor("203.0.113.214"));
        Assert.Equal("192.0.2.254", FailoverLab.CarrierNatAddressFor("198.51.100.1"));
    }

    /// <summary>
    /// Every server and tunnel the lab can start, then "down": no process, namespace, UAPI socket, resolver
    /// file or state directory of the lab may be left.
    /// </summary>
    [Fact]
    public async Task Down_leaves_nothing_behind_with_every_server_running()
    {
        var lab = await FailoverLab.StartAsync(LabMode.Mwan3, new LabOptions { Ipv6 = true, CarrierNat = true }, Ct);
        await lab.StartHttpEchoAsync(Ct);
        await lab.StartPowerDnsAsync(Ct);
        await lab.StartSmtpAsync(Ct);
        await lab.StartMiniupnpdAsync(Ct);
        await lab.StartDnsAsync(Ct);
        await lab.DelayWan2Async(TimeSpan.FromMilliseconds(20), Ct);
        await NebulaMesh.UpAsync(lab, Ct);
        await FailoverLab.LabAsync(["wg", lab.Id, "up", "server"], Ct);
        await lab.FailoverAsync(Ct); // miniupnpd restarts on WAN2

        var pids = new List<int>();
        foreach (var where in new[] { "lan", "router", "internet", "lighthouse", "peer" })
        {
            var r = (await ProcessRunner.RunAsync("ip", ["netns", "pids", lab.NamespaceOf(where)], TimeSpan.FromSeconds(5), Ct)).EnsureSuccess();
            pids.AddRange(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)));
        }

        // coturn, radvd, nginx (2), pdns, smtpd (6), miniupnpd, named, delayq, nebula (3), wireguard-go (2).
        Assert.True(pids.Count >= 19, $"only {pids.Count} processes in the lab's namespaces");

        await lab.DisposeAsync();

        var alive = pids.Where(p => File.Exists($"/proc/{p}/stat") && !File.ReadAllText($"/proc/{p}/stat").Contains(") Z ", StringComparison.Ordinal)).ToList();
        Assert.True(alive.Count == 0, $"still running after down: {string.Join(", ", alive)}");
        var namespaces = (await ProcessRunner.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10), Ct)).Stdout;
        Assert.DoesNotContain($"rb{lab.Id}", namespaces);
        Assert.False(Directory.Exists($"/run/rebound-lab/{lab.Id}"));
        Assert.Empty(Directory.Exists("/var/run/wireguard") ? Directory.GetFiles("/var/run/wireguard", $"*{lab.Id}*") : []);
        Assert.Empty(Directory.Exists("/etc/netns") ? Directory.GetFileSystemEntries("/etc/netns", $"rb{lab.Id}*") : []);
    }

    private static async Task<long> PeerPacketsAsync(FailoverLab lab, string counter) =>
        await CounterAsync(lab, "peer", counter);

    private static async Task<long> IngressDroppedAsync(FailoverLab lab) =>
        await CounterAsync(lab, "rblab", "isp2_ingress_dropped");

    /// <summary>Packets dropped by WAN1's dead upstream (the rule in chain isp1_dead of the internet namespace).</summary>
    private static async Task<long> DeadUpstreamDroppedAsync(FailoverLab lab)
    {
        var r = (await lab.ExecAsync("internet", ["nft", "list", "chain", "inet", "rblab", "isp1_dead"], Ct)).EnsureSuccess();
        var m = Packets().Match(r.Stdout);
        return m.Success ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static async Task<long> CounterAsync(FailoverLab lab, string table, string counter)
    {
        var r = (await lab.ExecAsync("internet", ["nft", "list", "counter", "inet", table, counter], Ct)).EnsureSuccess();
        var m = Packets().Match(r.Stdout);
        Assert.True(m.Success, r.Stdout);
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"packets (\d+)")]
    private static partial Regex Packets();

    [GeneratedRegex(@"dport=9 .*src=203\.0\.113\.10 dst=198\.51\.100\.2 sport=9")]
    private static partial Regex ReplyToWan1();
}
