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

    /// <summary>
    /// A long-lived UDP flow (one socket, fixed source port, a packet every 200 ms) across failover.
    /// pinned: its conntrack entry keeps the dead WAN's SNAT address and the peer gets nothing more,
    /// while a fresh socket gets through at once. masquerade: the flow is remapped to WAN2.
    /// </summary>
    [Theory]
    [InlineData(LabMode.Pinned)]
    [InlineData(LabMode.Masquerade)]
    public async Task Long_lived_udp_flow_across_failover(LabMode mode)
    {
        await using var lab = await FailoverLab.StartAsync(mode, Ct);

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
        var conntrack = (await lab.ExecAsync("router", ["conntrack", "-L", "-p", "udp", "--dport", "9"], Ct)).EnsureSuccess().Stdout;
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);
        var wan1After = await PeerPacketsAsync(lab, "from_wan1");
        var wan2After = await PeerPacketsAsync(lab, "from_wan2");

        // A fresh socket always gets through with WAN2's address.
        Assert.Equal(FailoverLab.Wan2Address, await lab.StunAsync("203.0.113.10", Ct));

        Assert.Equal(wan1Before, wan1After); // WAN1's upstream is dead in both modes.
        if (mode == LabMode.Pinned)
        {
            // The reply direction of the flow's entry still names the dead WAN's address.
            Assert.Matches(ReplyToWan1(), conntrack);
            Assert.Equal(0, wan2After);
            Assert.True(await IngressDroppedAsync(lab) >= 5, "ISP2 ingress filtering should drop the pinned flow");
        }
        else
        {
            Assert.True(wan2After - wan2Before >= 5, $"the masqueraded flow was not remapped to WAN2 ({wan2After - wan2Before} packets)");
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
    }

    private static async Task<long> PeerPacketsAsync(FailoverLab lab, string counter) =>
        await CounterAsync(lab, "peer", counter);

    private static async Task<long> IngressDroppedAsync(FailoverLab lab) =>
        await CounterAsync(lab, "rblab", "isp2_ingress_dropped");

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
