using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests.Browser;

/// <summary>
/// Headless Chromium driven over the DevTools protocol (no WebDriver, no NuGet package): launched
/// with <c>--remote-debugging-port=0</c> and a throw-away profile, the port read from DevToolsActivePort.
/// Reusable by any lab test that needs to look at the status page.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly CdpConnection _cdp;

    private ChromiumBrowser(Process process, DirectoryInfo profile, CdpConnection cdp)
    {
        _process = process;
        _profile = profile;
        _cdp = cdp;
    }

    public static string? Executable => Candidates.FirstOrDefault(File.Exists);

    /// <summary>Skips the calling test when Chromium is not installed, unless REBOUND_REQUIRE_LAB=1.</summary>
    public static void RequireChromium()
    {
        if (Executable is not null)
        {
            return;
        }

        if (LabEnvironment.LabRequired)
        {
            Assert.Fail("REBOUND_REQUIRE_LAB=1 but chromium is not installed (Debian package chromium)");
        }

        Assert.Skip("chromium is not installed (Debian package chromium)");
    }

    /// <summary>
    /// Starts Chromium; with <paramref name="networkNamespace"/>, inside that lab namespace (so it reaches an agent
    /// listening on the namespace's loopback), and DevTools is reached through a socket opened in the namespace.
    /// </summary>
    public static async Task<ChromiumBrowser> LaunchAsync(CancellationToken ct, string? networkNamespace = null)
    {
        var executable = Executable ?? throw new InvalidOperationException("chromium is not installed");
        var profile = Directory.CreateTempSubdirectory("rebound-chromium-");
        var start = new ProcessStartInfo(networkNamespace is null ? executable : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[
            "--headless=new", "--remote-debugging-port=0", $"--user-data-dir={profile.FullName}",
            "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage", "--mute-audio",
            "--hide-scrollbars", "--window-size=1280,900", "about:blank"])
        {
            start.ArgumentList.Add(argument);
        }

        if (Environment.IsPrivilegedProcess)
        {
            // Chromium refuses to run its sandbox as root.
            start.ArgumentList.Insert(0, "--no-sandbox");
        }

        if (networkNamespace is not null)
        {
            foreach (var (a, i) in new[] { "netns", "exec", networkNamespace, executable }.Select((a, i) => (a, i)))
            {
                start.ArgumentList.Insert(i, a);
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var portFile = Path.Combine(profile.FullName, "DevToolsActivePort");
            var deadline = Stopwatch.StartNew();
            string[] lines = [];
            while (lines.Length < 2)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"chromium exited with {process.ExitCode} before opening DevTools");
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                    throw new TimeoutException("chromium did not write DevToolsActivePort within 60 s");
                await Task.Delay(100, ct);
                if (File.Exists(portFile))
                    lines = (await File.ReadAllTextAsync(portFile, ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            }

            var cdp = await CdpConnection.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"), ct, networkNamespace);
            return new ChromiumBrowser(process, profile, cdp);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            profile.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Opens a new tab of <paramref name="width"/>×<paramref name="height"/> CSS pixels at <paramref name="url"/>.</summary>
    public async Task<ChromiumPage> OpenAsync(Uri url, CancellationToken ct, int width = 1280, int height = 900)
    {
        ArgumentNullException.ThrowIfNull(url);
        var target = await _cdp.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null, ct);
        var attached = await _cdp.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true }, null, ct);
        var page = new ChromiumPage(_cdp, attached.GetProperty("sessionId").GetString()!);
        await page.SendAsync("Page.enable", null, ct);
        await page.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, ct);
        await page.SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, ct);
        await page.WaitForAsync("document.readyState === 'complete'", TimeSpan.FromSeconds(30), ct);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _cdp.SendAsync("Browser.close", null, null, quick.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
        }

        await _cdp.DisposeAsync();
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(_process);
            }
        }

        _process.Dispose();
        for (int i = 0; i < 10; i++)
        {
            try
            {
                _profile.Delete(recursive: true);
                break;
            }
            catch (IOException)
            {
                // Helper processes may still be writing the profile for a moment after the browser exits.
                await Task.Delay(200);
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }
}

/// <summary>One tab, addressed through its flat-mode DevTools session.</summary>
public sealed class ChromiumPage
{
    private readonly CdpConnection _cdp;
    private readonly string _sessionId;

    internal ChromiumPage(CdpConnection cdp, string sessionId)
    {
        _cdp = cdp;
        _sessionId = sessionId;
    }

    public Task<JsonElement> SendAsync(string method, JsonObject? parameters, CancellationToken ct) =>
        _cdp.SendAsync(method, parameters, _sessionId, ct);

    /// <summary>Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken ct)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, ct);
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"page script failed: {exception.GetRawText()}");
        }

        return result.GetProperty("result").TryGetProperty("value", out var value) ? value : default;
    }

    public async Task<string?> TextAsync(string selector, CancellationToken ct)
    {
        var value = await EvaluateAsync($"(document.querySelector({JsonSerializer.Serialize(selector)}) || {{}}).textContent ?? null", ct);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>Polls until <paramref name="predicate"/> (a JS expression) is true; fails with the page's text on timeout.</summary>
    public async Task WaitForAsync(string predicate, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await EvaluateAsync($"!!({predicate})", ct);
            if (value.ValueKind == JsonValueKind.True)
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                var body = await EvaluateAsync("document.body ? document.body.innerText : ''", ct);
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {predicate}; the page shows:\n{body}");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>A PNG of the element <paramref name="selector"/> matches (scrolled into view first).</summary>
    public async Task<byte[]> ScreenshotAsync(string selector, CancellationToken ct)
    {
        var box = await EvaluateAsync(
            $"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); if (!e) return null; const r = e.getBoundingClientRect(); "
            + "return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height }; })()", ct);
        if (box.ValueKind != JsonValueKind.Object)
            throw new InvalidOperationException($"no element matches {selector}");
        var clip = new JsonObject { ["scale"] = 1 };
        foreach (var name in (ReadOnlySpan<string>)["x", "y", "width", "height"])
            clip[name] = box.GetProperty(name).GetDouble();
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true, ["clip"] = clip }, ct);
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    /// <summary>A PNG of the whole page (beyond the viewport).</summary>
    public async Task<byte[]> ScreenshotAsync(CancellationToken ct)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true }, ct);
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }
}
