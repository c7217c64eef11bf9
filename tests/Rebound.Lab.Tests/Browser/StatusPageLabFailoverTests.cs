using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Browser;

/// <summary>
/// The status page of a real agent through real failovers: `rebound run` on the lab router (router mode,
/// pinned NAT) serves the page; headless Chromium in the same namespace keeps it open while the router
/// fails over and back. Without a reload, the page must show the new public address and the verified heal, the
/// timeline must gain a failover with its detect and heal bars, and the health strips must turn for WAN1 and the heal target.
/// REBOUND_UPDATE_SCREENSHOT=1 writes docs/status-page.png (after the first failover) and docs/status-page-timeline.png
/// (after four switches).
/// </summary>
public sealed class StatusPageLabFailoverTests
{
    private const int Port = 19464;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const string Failovers = "document.querySelectorAll('#timeline .failover').length";
    private const string Wan1Now = "document.querySelector('[data-subject=\"uplink wan1\"] rect:last-of-type')?.dataset.state";
    private const string ConntrackNow = "document.querySelector('[data-subject=\"router:conntrack\"] rect:last-of-type')?.dataset.state";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_of_a_running_agent_shows_a_real_failover_and_its_heal_without_reloading()
    {
        ChromiumBrowser.RequireChromium();
        await using var lab = await FailoverLab.StartAsync(LabMode.Pinned, Ct);
        var state = Directory.CreateTempSubdirectory("rebound-page-lab-").FullName;
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

                [http]
                listen = "127.0.0.1:{Port}"
                """, Ct);
            await using var rebound = ReboundProcess.StartInNamespace(lab.RouterNamespace, ["run", "--config", config, "--json"]);
            await rebound.WaitForAsync(e => e.Name == "started", Wait, "started", Ct);

            await using var browser = await ChromiumBrowser.LaunchAsync(Ct, lab.RouterNamespace);
            var page = await browser.OpenAsync(new Uri($"http://127.0.0.1:{Port}/"), Ct, width: 1280, height: 1100);
            await page.WaitForAsync("document.getElementById('live').textContent === 'live'", Wait, Ct);
            await page.WaitForAsync($"document.querySelector('[data-family=ipv4] .addr')?.textContent === '{FailoverLab.Wan1Address}'", Wait, Ct);
            await page.WaitForAsync($"{Wan1Now} === 'up'", Wait, Ct);
            var before = (await page.EvaluateAsync(Failovers, Ct)).GetInt32();
            // Not yet healing: no strip yet, or healthy from its startup diagnosis.
            Assert.Contains((await page.EvaluateAsync($"{ConntrackNow} ?? 'none'", Ct)).GetString(), (string[])["none", "unknown", "up"]);
            await page.EvaluateAsync("window.reboundMarker = 42", Ct);
            // A LAN flow for the heal to move (router mode leaves the router's own untranslated flows alone).
            var to = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("203.0.113.10"), 5555);
            using var server = Router.RouterConntrackLabTests.Udp($"/var/run/netns/{lab.InternetNamespace}", to);
            using var pinned = Router.RouterConntrackLabTests.Udp($"/var/run/netns/{lab.LanNamespace}", new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.77.0.2"), 40000));
            await pinned.SendToAsync("before"u8.ToArray(), to, Ct);
            Assert.Equal(FailoverLab.Wan1Address, (await Router.RouterConntrackLabTests.ReceiveAsync(server, Ct))?.From.Address.ToString());

            await lab.FailoverAsync(Ct);
            await rebound.WaitForAsync(e => e.Name == "heal-verified" && e.GetString("target") == "router:conntrack", Wait, "heal-verified of router:conntrack", Ct);

            await page.WaitForAsync($"document.querySelector('[data-family=ipv4] .addr')?.textContent === '{FailoverLab.Wan2Address}'", Wait, Ct);
            await page.WaitForAsync("document.getElementById('last-targets')?.textContent.includes('router:conntrack: verified in')", Wait, Ct);
            var last = await page.TextAsync("#last", Ct);
            Assert.Contains($"{FailoverLab.Wan1Address} → {FailoverLab.Wan2Address}", last, StringComparison.Ordinal);
            // The pictures changed in place: a new timeline row with its bars, WAN1's strip down now, the target's degraded while it healed.
            await page.WaitForAsync($"{Failovers} > {before}", Wait, Ct);
            await page.WaitForAsync("document.querySelector('#timeline .failover .bar.detect')?.getAttribute('width') > 0", Wait, Ct);
            await page.WaitForAsync("document.querySelector('#timeline .failover g.target[data-target=\"router:conntrack\"][data-result=verified] rect')?.getAttribute('width') > 0", Wait, Ct);
            await page.WaitForAsync($"{Wan1Now} === 'down'", Wait, Ct);
            await page.WaitForAsync($"['degraded', 'down'].includes({ConntrackNow})", Wait, Ct);
            await page.WaitForAsync("document.getElementById('journal')?.textContent.includes('heal-verified')", Wait, Ct);
            await page.WaitForAsync($"[...document.querySelectorAll('#addresses td')].some(td => td.textContent === '{FailoverLab.Wan2Address}')", Wait, Ct);
            Assert.Equal(42, (await page.EvaluateAsync("window.reboundMarker", Ct)).GetInt32());
            await SaveAsync(await page.ScreenshotAsync(Ct), "status-page.png");

            // Three more switches: back, over, back. Each one a new row, still without a reload.
            for (int i = 0; i < 3; i++)
            {
                var rows = (await page.EvaluateAsync(Failovers, Ct)).GetInt32();
                var switched = i % 2 == 0 ? await lab.FailbackAsync(Ct) : await lab.FailoverAsync(Ct);
                await rebound.WaitForAsync(e => e.Name == "public-address-changed" && e.GetString("new") == switched.ExpectedPublicAddress, Wait, $"public-address-changed to {switched.ExpectedPublicAddress}", Ct);
                await page.WaitForAsync($"{Failovers} > {rows}", Wait, Ct);
                await page.WaitForAsync($"document.querySelector('[data-family=ipv4] .addr')?.textContent === '{switched.ExpectedPublicAddress}'", Wait, Ct);
            }

            // Let the last heal land on the page before the picture.
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            Assert.Equal(42, (await page.EvaluateAsync("window.reboundMarker", Ct)).GetInt32());
            await SaveAsync(await page.ScreenshotAsync("section:has(#timeline)", Ct), "status-page-timeline.png");
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task SaveAsync(byte[] png, string name)
    {
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var path = Environment.GetEnvironmentVariable("REBOUND_UPDATE_SCREENSHOT") == "1"
            ? Path.Combine(LabEnvironment.RepoRoot, "docs", name)
            : Path.Combine(Path.GetTempPath(), $"rebound-status-page-lab-{Environment.ProcessId}-{name}");
        await File.WriteAllBytesAsync(path, png, Ct);
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
    }
}
