using System.Net;
using Rebound.Lab.Tests.Harness;
using Rebound.Transport;
using static Rebound.Lab.Tests.Router.RouterConntrackLabTests;

namespace Rebound.Lab.Tests.Router;

/// <summary>
/// End to end: <c>rebound run</c> with a <c>[router]</c> table, started inside the lab router's namespace (the
/// process is forked from a thread that entered it), heals a pinned LAN flow by itself after a "pinned" failover.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RouterModeRunLabTests
{
    [Fact]
    public async Task Rebound_run_on_the_router_flushes_the_departed_wans_entries_and_the_flow_recovers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, ct);
        var state = Directory.CreateTempSubdirectory("rebound-router-run-").FullName;
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
            using var server = Udp($"/var/run/netns/{lab.InternetNamespace}", new IPEndPoint(IPAddress.Parse("203.0.113.10"), 5555));
            using var pinned = Udp($"/var/run/netns/{lab.LanNamespace}", new IPEndPoint(IPAddress.Parse("10.77.0.2"), 40000));
            var to = new IPEndPoint(IPAddress.Parse("203.0.113.10"), 5555);
            await pinned.SendToAsync("before"u8.ToArray(), to, ct);
            Assert.Equal(FailoverLab.Wan1Address, (await ReceiveAsync(server, ct))?.From.Address.ToString());

            await using var rebound = NetworkNamespace.Run($"/var/run/netns/{lab.RouterNamespace}", () => ReboundProcess.StartHere(["run", "--config", config, "--json"]));
            await rebound.WaitForAsync(e => e.Name == "started", TimeSpan.FromSeconds(20), "started", ct);

            var switched = await lab.FailoverAsync(ct);
            var step = await rebound.WaitForAsync(e => e.Name == "heal-step" && e.GetString("target") == "router:conntrack", TimeSpan.FromSeconds(20), "heal-step of router:conntrack", ct);
            // The LAN flow, plus the router's own STUN sockets that left from 198.51.100.2 before the switch.
            Assert.Matches(@"^deleted [1-9][0-9]* entr(y|ies) translated to 198\.51\.100\.2 via ctnetlink$", step.GetString("detail"));
            var verified = await rebound.WaitForAsync(e => e.Name == "heal-verified" && e.GetString("target") == "router:conntrack", TimeSpan.FromSeconds(20), "heal-verified of router:conntrack", ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"switch -> heal-verified: {(verified.Time - switched.Time).TotalMilliseconds:0} ms; {verified.Line}");

            await pinned.SendToAsync("after"u8.ToArray(), to, ct);
            var remapped = await ReceiveAsync(server, ct);
            Assert.Equal(FailoverLab.Wan2Address, remapped?.From.Address.ToString());
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
