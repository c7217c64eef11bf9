using System.Net;
using Rebound.Cli.Serve;
using Rebound.Lab.Tests.Harness;
using Rebound.Record;
using Rebound.Record.Metrics;
using Rebound.Record.Status;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Lab.Tests.Browser;

/// <summary>
/// The status page in a real browser: served by the agent's HTTP server from synthetic events, it must
/// show a failover and its heal as they happen, through /events, without a reload.
/// REBOUND_UPDATE_SCREENSHOT=1 writes the final screenshot to docs/status-page.png.
/// </summary>
public class StatusPageBrowserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_shows_a_new_address_and_its_heal_live_without_reloading()
    {
        ChromiumBrowser.RequireChromium();
        var board = new StatusBoard("0.4.0", TimeProvider.System);
        var metrics = new MetricsRegistry("0.4.0");
        await using var server = new AgentHttpServer(new AgentHttpServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, board, metrics, null, TimeProvider.System);
        await server.StartAsync(Ct);
        void Feed(RecordedEvent e)
        {
            board.OnEvent(e);
            metrics.OnEvent(e);
            server.OnEvent(e);
        }

        var t = DateTimeOffset.UtcNow.AddMinutes(-30);
        Feed(Started(t, "198.51.100.7", "2001:db8:10::7"));
        Feed(Lost(t.AddMinutes(5), "198.51.100.7", detectedIn: TimeSpan.FromSeconds(4.1)));
        Feed(Restored(t.AddMinutes(6), "198.51.100.7"));
        Feed(HealStarted(t.AddMinutes(6), "wg0", "upstream-restored"));
        Feed(HealVerified(t.AddMinutes(6).AddSeconds(1), "wg0", "rotate-port", 1200));

        await using var browser = await ChromiumBrowser.LaunchAsync(Ct);
        var page = await browser.OpenAsync(server.BaseAddress!, Ct, width: 1280, height: 1250);
        await page.WaitForAsync("document.getElementById('live').textContent === 'live'", TimeSpan.FromSeconds(20), Ct);
        await page.WaitForAsync("document.querySelector('[data-family=ipv4] .addr')?.textContent === '198.51.100.7'", TimeSpan.FromSeconds(20), Ct);
        // Survives only if the page is not reloaded.
        await page.EvaluateAsync("window.reboundMarker = 42", Ct);

        var change = DateTimeOffset.UtcNow;
        Feed(AddressChanged(change, "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromSeconds(2.4)));
        Feed(HealStarted(change, "wg0"));
        Feed(HealStep(change.AddMilliseconds(900), "wg0", "reresolve", "done"));
        Feed(DdnsUpdated(change.AddSeconds(2), "ddns[0]", "rfc2136", "203.0.113.9", 2050));
        Feed(HealVerified(change.AddSeconds(3), "wg0", "reresolve", 3100));

        await page.WaitForAsync("document.querySelector('[data-family=ipv4] .addr')?.textContent === '203.0.113.9'", TimeSpan.FromSeconds(20), Ct);
        await page.WaitForAsync("document.getElementById('last-targets')?.textContent.includes('wg0: verified in 3.10 s')", TimeSpan.FromSeconds(20), Ct);
        var last = await page.TextAsync("#last", Ct);
        Assert.Contains("public-address-changed · ipv4 · 198.51.100.7 → 203.0.113.9 · detected in 2.40 s", last, StringComparison.Ordinal);
        Assert.Contains("ddns[0]: published in 2.05 s", last, StringComparison.Ordinal);
        Assert.Equal(3, (await page.EvaluateAsync("document.querySelectorAll('#failovers tbody tr').length", Ct)).GetInt32());
        Assert.Contains("heal-verified", await page.TextAsync("#journal", Ct), StringComparison.Ordinal);
        Assert.Equal(42, (await page.EvaluateAsync("window.reboundMarker", Ct)).GetInt32());

        var png = await page.ScreenshotAsync(Ct);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var path = Environment.GetEnvironmentVariable("REBOUND_UPDATE_SCREENSHOT") == "1"
            ? Path.Combine(LabEnvironment.RepoRoot, "docs", "status-page.png")
            : Path.Combine(Path.GetTempPath(), $"rebound-status-page-{Environment.ProcessId}.png");
        await File.WriteAllBytesAsync(path, png, Ct);
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
    }
}
