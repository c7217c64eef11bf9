using System.Net;
using System.Text.RegularExpressions;
using Rebound.Lab.Tests.Harness;
using Rebound.Transport;
using static Rebound.Lab.Tests.Router.RouterConntrackLabTests;

namespace Rebound.Lab.Tests.Router;

/// <summary>
/// <c>rebound run</c> only on the router, with nothing but <c>[router] wan_interfaces</c>: in the mwan3 lab (existing
/// flows keep WAN1's mark, its route stays) and the metric --snat lab (both routes stay, static SNAT pins the flow),
/// WAN1's own probes fail, <c>uplink-down</c> names it, and only the entries translated to WAN1 are deleted: a
/// fixed-port LAN flow (as WireGuard's) comes back through WAN2. On failback, in mwan3 the flow made on WAN2 meanwhile
/// keeps its conntrack entry (same id): a live uplink's flow is never touched; with metric and static SNAT it is
/// stranded (translated to WAN2, routed to WAN1) and only such entries are deleted.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class RouterUplinkLabTests
{
    [Theory]
    [InlineData(LabMode.Mwan3, false)]
    [InlineData(LabMode.Metric, true)]
    public async Task Rebound_only_on_the_router_moves_the_pinned_flow_and_leaves_the_live_uplinks_flow_alone(LabMode mode, bool snat)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await FailoverLab.StartAsync(mode, new LabOptions { StaticSnat = snat }, ct);
        var state = Directory.CreateTempSubdirectory("rebound-router-uplinks-").FullName;
        try
        {
            var config = Path.Combine(state, "rebound.toml");
            await File.WriteAllTextAsync(config, $"""
                [watch]
                servers = ["{FailoverLab.Stun1}", "{FailoverLab.Stun2}"]
                interval = "1s"

                [state]
                directory = "{state}"

                [router]
                wan_interfaces = ["wan1", "wan2"]
                """, ct);
            File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var to = new IPEndPoint(IPAddress.Parse("203.0.113.10"), 5555);
            using var server = Udp($"/var/run/netns/{lab.InternetNamespace}", to);
            using var pinned = Udp($"/var/run/netns/{lab.LanNamespace}", new IPEndPoint(IPAddress.Parse("10.77.0.2"), 40000));
            await pinned.SendToAsync("before"u8.ToArray(), to, ct);
            Assert.Equal(FailoverLab.Wan1Address, (await ReceiveAsync(server, ct))?.From.Address.ToString());

            await using var rebound = NetworkNamespace.Run($"/var/run/netns/{lab.RouterNamespace}", () => ReboundProcess.StartHere(["run", "--config", config, "--json"]));
            // Both uplinks are probed at once, so their first uplink-up events come in either order.
            var up = new HashSet<string>(StringComparer.Ordinal);
            while (up.Count < 2)
            {
                var e = await rebound.WaitForAsync(e => e.Name == "uplink-up" && e.GetString("interface") is "wan1" or "wan2", TimeSpan.FromSeconds(20), "uplink-up of wan1 and wan2", ct);
                up.Add(e.GetString("interface")!);
            }

            var switched = await lab.FailoverAsync(ct);
            // With metric and static SNAT the flow is stranded (translated to WAN1, routed to WAN2) the moment the
            // routes change, so the heal may come before WAN1's probes fail: either order.
            var seen = new List<ReboundEvent>();
            bool IsDown(ReboundEvent e) => e.Name == "uplink-down" && e.GetString("interface") == "wan1";
            bool IsVerified(ReboundEvent e) => e.Name == "heal-verified" && e.GetString("target") == "router:conntrack";
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
            while (!(seen.Any(IsDown) && seen.Any(IsVerified)) && DateTimeOffset.UtcNow < deadline
                && await rebound.TryNextEventAsync(deadline - DateTimeOffset.UtcNow, ct) is { } next)
                seen.Add(next);
            var down = seen.FirstOrDefault(IsDown) ?? throw new Xunit.Sdk.XunitException("no uplink-down of wan1 within 20 s");
            var verified = seen.FirstOrDefault(IsVerified) ?? throw new Xunit.Sdk.XunitException("no heal-verified of router:conntrack within 20 s");
            var step = seen.First(e => e.Name == "heal-step" && e.GetString("target") == "router:conntrack");
            Assert.Matches(@"^deleted [1-9][0-9]* entr(y|ies) translated to 198\.51\.100\.2( \(wan1\) leaving by wan2)? via ctnetlink$", step.GetString("detail"));
            TestContext.Current.TestOutputHelper?.WriteLine($"switch -> uplink-down {(down.Time - switched.Time).TotalMilliseconds:0} ms, -> heal-verified {(verified.Time - switched.Time).TotalMilliseconds:0} ms");

            await pinned.SendToAsync("after"u8.ToArray(), to, ct);
            Assert.Equal(FailoverLab.Wan2Address, (await ReceiveAsync(server, ct))?.From.Address.ToString());

            // A flow made during the outage lives on WAN2; failback must leave it (and its entry) alone.
            using var onWan2 = Udp($"/var/run/netns/{lab.LanNamespace}", new IPEndPoint(IPAddress.Parse("10.77.0.2"), 40002));
            await onWan2.SendToAsync("b1"u8.ToArray(), to, ct);
            Assert.Equal(FailoverLab.Wan2Address, (await ReceiveAsync(server, ct))?.From.Address.ToString());
            var idBefore = await EntryIdAsync(lab, 40002, ct);

            await lab.FailbackAsync(ct);
            var afterFailback = new List<ReboundEvent>();
            var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(5);
            while (DateTimeOffset.UtcNow < until && await rebound.TryNextEventAsync(until - DateTimeOffset.UtcNow, ct) is { } e)
                afterFailback.Add(e);
            Assert.Contains(afterFailback, e => e.Name == "uplink-up" && e.GetString("interface") == "wan1");
            bool TouchesWan2(ReboundEvent e) => e.Name == "heal-step" && e.GetString("detail")?.Contains("192.0.2.2", StringComparison.Ordinal) == true;
            if (mode == LabMode.Mwan3)
            {
                // mwan3 keeps the flow on its mark: still WAN2, same entry, never deleted.
                Assert.DoesNotContain(afterFailback, TouchesWan2);
                await onWan2.SendToAsync("b2"u8.ToArray(), to, ct);
                Assert.Equal(FailoverLab.Wan2Address, (await ReceiveAsync(server, ct))?.From.Address.ToString());
                Assert.Equal(idBefore, await EntryIdAsync(lab, 40002, ct));
            }
            else
            {
                // Metric failback: the main table now sends the flow out of WAN1 still translated to WAN2's address
                // (static SNAT never re-translates), which WAN1's ISP would drop as a foreign source. Only that
                // stranded entries go (this one and the healed fixed-port flow), and the flow is translated afresh to WAN1.
                var stranded = Assert.Single(afterFailback, TouchesWan2);
                Assert.Matches(@"^deleted [1-9][0-9]* entr(y|ies) translated to 192\.0\.2\.2 \(wan2\) leaving by wan1 via ctnetlink$", stranded.GetString("detail"));
                await onWan2.SendToAsync("b2"u8.ToArray(), to, ct);
                Assert.Equal(FailoverLab.Wan1Address, (await ReceiveAsync(server, ct))?.From.Address.ToString());
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task<string> EntryIdAsync(FailoverLab lab, int sourcePort, CancellationToken ct)
    {
        var list = await lab.ExecAsync("router", ["conntrack", "-L", "-p", "udp", "--orig-port-src", sourcePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", "id"], ct);
        return IdPattern().Match(list.Stdout).Groups[1].Value is { Length: > 0 } id ? id : throw new InvalidOperationException($"no entry for port {sourcePort}: {list.Stdout} {list.Stderr}");
    }

    [GeneratedRegex(@"id=(\d+)")]
    private static partial Regex IdPattern();
}
