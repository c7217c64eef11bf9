using System.Net;
using Rebound.Cli.Serve;
using Rebound.Record;
using Rebound.Record.Metrics;
using Rebound.Record.Status;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Lab.Tests.Browser;

/// <summary>
/// The status page in a real browser: served by the agent's HTTP server from synthetic events, it must
/// show a failover and its heal as they happen, through /events, without a reload.
/// The screenshots in docs/ come from the real lab run (StatusPageLabFailoverTests); this one goes to the temp directory.
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
        const string Rows = "document.querySelectorAll('#timeline .failover').length";
        const string Wg0Now = "document.querySelector('[data-subject=\"wg0\"] rect:last-of-type').dataset.state";
        Assert.Equal(2, (await page.EvaluateAsync(Rows, Ct)).GetInt32());
        Assert.Equal("up", (await page.EvaluateAsync(Wg0Now, Ct)).GetString());
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('[data-subject=\"ddns[0]\"]').length", Ct)).GetInt32());
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
        Assert.Equal(3, (await page.EvaluateAsync(Rows, Ct)).GetInt32());
        // The newest row (on top) has its detect bar and both targets' bars; wg0 was degraded in the current slice; ddns[0] has a strip now.
        Assert.True((await page.EvaluateAsync("+document.querySelector('#timeline .failover .bar.detect').getAttribute('width')", Ct)).GetDouble() > 0);
        Assert.Equal(2, (await page.EvaluateAsync("document.querySelector('#timeline .failover').querySelectorAll('g.target rect').length", Ct)).GetInt32());
        Assert.Equal("degraded", (await page.EvaluateAsync(Wg0Now, Ct)).GetString());
        Assert.Equal("up", (await page.EvaluateAsync("document.querySelector('[data-subject=\"ddns[0]\"] rect:last-of-type').dataset.state", Ct)).GetString());
        Assert.Contains("works again after reresolve", await page.TextAsync("#journal", Ct), StringComparison.Ordinal);
        Assert.Contains("203.0.113.9", await page.TextAsync("#addresses tr.current", Ct), StringComparison.Ordinal);
        Assert.Equal(42, (await page.EvaluateAsync("window.reboundMarker", Ct)).GetInt32());

        var png = await page.ScreenshotAsync(Ct);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var path = Path.Combine(Path.GetTempPath(), $"rebound-status-page-{Environment.ProcessId}.png");
        await File.WriteAllBytesAsync(path, png, Ct);
        TestContext.Current.SendDiagnosticMessage($"screenshot: {path}");
    }
}
