using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rebound.Lab.Tests.Harness;
using Rebound.Record.Metrics;
using Rebound.Tests.Record.Status;

namespace Rebound.Lab.Tests.Prometheus;

/// <summary>
/// packaging/prometheus: the alerting rules pass their promtool unit tests; every expression of the rules and
/// of the Grafana dashboard parses with Prometheus's own parser, names only metrics rebound really exports,
/// and (the dashboard's) returns data from a real Prometheus holding an hour of a real MetricsRegistry's
/// exposition. Prometheus listens on 127.0.0.1 only and scrapes nothing. No root needed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class FleetMonitoringTests : IDisposable
{
    /// <summary>Named by a rule before rebound exports it (per-uplink state, another issue); the rule matches nothing until then.</summary>
    private static readonly HashSet<string> Announced = ["rebound_uplink_up"];

    /// <summary>Prometheus's own series, not rebound's.</summary>
    private static readonly HashSet<string> FromPrometheus = ["up"];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string _temp = Directory.CreateTempSubdirectory("rebound-prometheus-").FullName;

    private static string Dir => Path.Combine(LabEnvironment.RepoRoot, "packaging", "prometheus");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void RequirePrometheus()
    {
        if (File.Exists("/usr/bin/promtool") && File.Exists("/usr/bin/prometheus"))
        {
            return;
        }

        const string Missing = "promtool and prometheus are missing (Debian package prometheus; run scripts/install-deps)";
        if (LabEnvironment.LabRequired)
        {
            Assert.Fail("REBOUND_REQUIRE_LAB=1 but " + Missing);
        }

        Assert.Skip(Missing);
    }

    [Fact]
    public async Task The_alerting_rules_pass_their_promtool_unit_tests()
    {
        RequirePrometheus();

        var r = await ProcessRunner.RunAsync("bash", ["-c", $"cd '{Dir}' && promtool check rules rebound.rules.yml && promtool test rules rebound.rules.test.yml"], Timeout, Ct);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("SUCCESS: 12 rules found", r.Stdout, StringComparison.Ordinal);
        // Every alert has at least one test that expects it to fire.
        var tests = await File.ReadAllTextAsync(Path.Combine(Dir, "rebound.rules.test.yml"), Ct);
        foreach (var alert in AlertNames())
        {
            Assert.Matches(new Regex($@"alertname: {alert}\n\s+exp_alerts:\n\s+- exp_labels", RegexOptions.None), tests);
        }
    }

    [Fact]
    public async Task Every_dashboard_expression_parses()
    {
        RequirePrometheus();

        var r = await ProcessRunner.RunAsync("bash", [Path.Combine(Dir, "check-dashboard.sh")], Timeout, Ct);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Matches(@"check-dashboard: \d+ expressions parse", r.Stderr);
    }

    [Fact]
    public async Task The_dashboard_checker_rejects_an_expression_that_does_not_parse()
    {
        RequirePrometheus();
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Dir, "grafana-dashboard.json"), Ct)).RootElement.GetRawText();
        var broken = Path.Combine(_temp, "broken.json");
        await File.WriteAllTextAsync(broken, dashboard.Replace("sum(up{", "sum(up{{", StringComparison.Ordinal), Ct);

        var r = await ProcessRunner.RunAsync("bash", [Path.Combine(Dir, "check-dashboard.sh"), broken], Timeout, Ct);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("cannot parse", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_and_dashboard_name_only_metrics_rebound_exports()
    {
        RequirePrometheus();
        var exported = ExportedNames(RecordedAgent(TimeSpan.FromHours(1)).Render());

        var rules = (await File.ReadAllLinesAsync(Path.Combine(Dir, "rebound.rules.yml"), Ct)).Where(l => l.TrimStart().StartsWith("expr:", StringComparison.Ordinal));
        var used = MetricNames(string.Join('\n', rules))
            .Concat(MetricNames(string.Join('\n', await DashboardExpressionsAsync())))
            .ToHashSet();

        Assert.Contains("rebound_heal_failures_total", used);
        Assert.Empty(used.Except(exported).Except(Announced).Except(FromPrometheus));
        Assert.Empty(Announced.Intersect(exported)); // once it exists, it is no longer only announced: drop it from Announced
    }

    [Fact]
    public async Task Every_dashboard_expression_returns_data_from_an_hour_of_a_real_agent()
    {
        RequirePrometheus();
        var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60);
        var data = Path.Combine(_temp, "data");
        var input = Path.Combine(_temp, "agent.om");
        await File.WriteAllTextAsync(input, OpenMetrics(end), Ct);
        (await ProcessRunner.RunAsync("promtool", ["tsdb", "create-blocks-from", "openmetrics", input, data], Timeout, Ct)).EnsureSuccess();
        var config = Path.Combine(_temp, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 15s\n", Ct);
        var port = FreeLoopbackPort();

        using var prometheus = Process.Start(new ProcessStartInfo("prometheus",
        [
            $"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=30d", "--log.level=warn",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitReadyAsync(http);
            var empty = new List<string>();
            foreach (var expr in await DashboardExpressionsAsync())
            {
                var url = $"/api/v1/query?time={end.ToUnixTimeSeconds()}&query={Uri.EscapeDataString(expr)}";
                using var answer = JsonDocument.Parse(await http.GetStringAsync(url, Ct));
                Assert.Equal("success", answer.RootElement.GetProperty("status").GetString());
                if (answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() == 0)
                {
                    empty.Add(expr);
                }
            }

            Assert.True(empty.Count == 0, "no data for:\n" + string.Join('\n', empty));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// One agent's registry after <paramref name="at"/> of an hour in which everything happens once: start, a
    /// failover, an outage, heals that verify, fail and run out of restarts, DNS updates that publish and fail.
    /// </summary>
    private static MetricsRegistry RecordedAgent(TimeSpan at)
    {
        var t0 = SyntheticEvents.T0;
        var registry = new MetricsRegistry("1.0.0");
        var timeline = new (TimeSpan At, Action<MetricsRegistry> Do)[]
        {
            (TimeSpan.Zero, r => r.OnEvent(SyntheticEvents.Started(t0, "198.51.100.7"))),
            (TimeSpan.FromMinutes(10), r => r.OnEvent(SyntheticEvents.AddressChanged(t0, "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromSeconds(0.6)))),
            (TimeSpan.FromMinutes(11), r => r.OnEvent(SyntheticEvents.HealStep(t0, "wireguard:wg0", "rotate-port", "verified"))),
            (TimeSpan.FromMinutes(11), r => r.OnEvent(SyntheticEvents.HealVerified(t0, "wireguard:wg0", "rotate-port", 900))),
            (TimeSpan.FromMinutes(11), r => r.OnEvent(SyntheticEvents.DdnsUpdated(t0, "ddns[0]", "rfc2136", "203.0.113.9", 500))),
            (TimeSpan.FromMinutes(20), r => r.OnEvent(SyntheticEvents.Lost(t0, "203.0.113.9", detectedIn: TimeSpan.FromSeconds(40)))),
            (TimeSpan.FromMinutes(25), r => r.OnEvent(SyntheticEvents.Restored(t0, "203.0.113.9"))),
            (TimeSpan.FromMinutes(26), r => r.OnEvent(SyntheticEvents.DdnsFailed(t0, "ddns[1]", "cloudflare", "HTTP 500"))),
            (TimeSpan.FromMinutes(30), r => r.OnEvent(SyntheticEvents.HealStep(t0, "tailscale", "restart", "unverified"))),
            (TimeSpan.FromMinutes(30), r => r.OnEvent(SyntheticEvents.HealFailed(t0, "tailscale", "no rung verified"))),
            (TimeSpan.FromMinutes(35), r => r.OnEvent(SyntheticEvents.HealStep(t0, "tailscale", "restart", "skipped"))),
        };
        foreach (var (when, act) in timeline.Where(e => e.At <= at))
        {
            act(registry);
        }

        // Two probes per second all along, one in twenty unanswered.
        var probes = (long)at.TotalSeconds * 2;
        for (var i = 0; i < Math.Min(probes, 20_000); i++)
        {
            registry.ObserveProbe(46, i % 20 == 0 ? 0 : 58, i % 20 != 0);
        }

        return registry;
    }

    /// <summary>The agent's exposition every 30 s over the hour up to <paramref name="end"/>, as OpenMetrics with timestamps, labelled like a scraped target.</summary>
    private static string OpenMetrics(DateTimeOffset end)
    {
        const string Target = "job=\"rebound\",instance=\"gw1:9464\",site=\"berlin\"";
        var samples = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string name, string line) => (samples.TryGetValue(name, out var list) ? list : samples[name] = []).Add(line);
        for (var at = TimeSpan.Zero; at <= TimeSpan.FromHours(1); at += TimeSpan.FromSeconds(30))
        {
            var stamp = (end - TimeSpan.FromHours(1) + at).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            Add("up", $"up{{{Target}}} 1 {stamp}");
            foreach (var line in RecordedAgent(at).Render().Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
            {
                var m = SampleLine().Match(line);
                Assert.True(m.Success, line);
                var labels = m.Groups["labels"].Success ? $"{Target},{m.Groups["labels"].Value}" : Target;
                Add(m.Groups["name"].Value, $"{m.Groups["name"].Value}{{{labels}}} {m.Groups["value"].Value} {stamp}");
            }
        }

        var text = new StringBuilder();
        foreach (var (_, lines) in samples)
        {
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.Append("# EOF\n").ToString();
    }

    private static async Task<List<string>> DashboardExpressionsAsync()
    {
        var r = await ProcessRunner.RunAsync("bash", [Path.Combine(Dir, "check-dashboard.sh"), "--print"], Timeout, Ct);
        return [.. r.EnsureSuccess().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static IEnumerable<string> AlertNames() =>
        AlertLine().Matches(File.ReadAllText(Path.Combine(Dir, "rebound.rules.yml"))).Select(m => m.Groups[1].Value);

    /// <summary>Metric names in PromQL text: identifiers followed by a selector, a range or an operator, not label names or functions.</summary>
    private static IEnumerable<string> MetricNames(string promql) =>
        MetricToken().Matches(promql).Select(m => m.Value).Where(n => n == "up" || n.StartsWith("rebound_", StringComparison.Ordinal) || n.StartsWith("process_", StringComparison.Ordinal));

    /// <summary>Every series name the exposition has (histograms as _bucket, _sum and _count).</summary>
    private static HashSet<string> ExportedNames(string exposition) =>
        [.. exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => SampleLine().Match(l).Groups["name"].Value)];

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync("/-/ready", Ct);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.True(TimeProvider.System.GetElapsedTime(start) < TimeSpan.FromSeconds(60), "prometheus did not become ready");
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, Ct);
        }
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^\s+- alert: (\w+)$", RegexOptions.Multiline)]
    private static partial Regex AlertLine();

    [GeneratedRegex(@"\b[a-z_][a-z0-9_]*(?=\s*[{\[]|\s*(==|>|<|-|\)|$| offset| unless| or| and))")]
    private static partial Regex MetricToken();
}
