using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Browser;

/// <summary>
/// The status page of a real agent through a real failover: `rebound run` on the lab router (router mode,
/// pinned NAT) serves the page; headless Chromium in the same namespace keeps it open while the router
/// fails over. Without a reload, the page must show the new public address and the verified heal.
/// REBOUND_UPDATE_SCREENSHOT=1 writes the final screenshot to docs/status-page.png.
/// </summary>
public sealed class StatusPageLabFailoverTests
{
    private const int Port = 19464;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

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
            await page.EvaluateAsync("window.reboundMarker = 42", Ct);

            await lab.FailoverAsync(Ct);
            await rebound.WaitForAsync(e => e.Name == "heal-verified" && e.GetString("target") == "router:conntrack", Wait, "heal-verified of router:conntrack", Ct);

            await page.WaitForAsync($"document.querySelector('[data-family=ipv4] .addr')?.textContent === '{FailoverLab.Wan2Address}'", Wait, Ct);
            await page.WaitForAsync("document.getElementById('last-targets')?.textContent.includes('router:conntrack: verified in')", Wait, Ct);
            var last = await page.TextAsync("#last", Ct);
            Assert.Contains($"{FailoverLab.Wan1Address} → {FailoverLab.Wan2Address}", last, StringComparison.Ordinal);
            await page.WaitForAsync("document.getElementById('journal')?.textContent.includes('heal-verified')", Wait, Ct);
            Assert.Equal(42, (await page.EvaluateAsync("window.reboundMarker", Ct)).GetInt32());

            var png = await page.ScreenshotAsync(Ct);
            var path = Environment.GetEnvironmentVariable("REBOUND_UPDATE_SCREENSHOT") == "1"
                ? Path.Combine(LabEnvironment.RepoRoot, "docs", "status-page.png")
                : Path.Combine(Path.GetTempPath(), $"rebound-status-page-lab-{Environment.ProcessId}.png");
            await File.WriteAllBytesAsync(path, png, Ct);
            TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
