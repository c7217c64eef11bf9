using System.Diagnostics;
using Rebound.Record.Metrics;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Tests.Record.Metrics;

public class MetricsRegistryTests
{
    private static string[] Lines(MetricsRegistry metrics) => metrics.Render().Split('\n');

    [Fact]
    public void Every_family_has_help_and_type_and_build_info_carries_the_version()
    {
        var text = new MetricsRegistry("0.4.0").Render();

        Assert.Contains("rebound_build_info{version=\"0.4.0\"} 1\n", text, StringComparison.Ordinal);
        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(families.Count, families.Distinct().Count());
        foreach (var family in families)
        {
            Assert.Contains($"# HELP {family} ", text, StringComparison.Ordinal);
        }

        Assert.Contains("rebound_detection_seconds", families);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_detection_histogram_is_cumulative_with_inf_sum_and_count()
    {
        var metrics = new MetricsRegistry("1");
        metrics.OnEvent(AddressChanged(T0, null, "203.0.113.9", detectedIn: TimeSpan.FromSeconds(0.4)));
        metrics.OnEvent(Lost(T0.AddMinutes(1), "203.0.113.9", detectedIn: TimeSpan.FromSeconds(3)));
        metrics.OnEvent(AddressChanged(T0.AddHours(1), "203.0.113.9", "198.51.100.7", detectedIn: TimeSpan.FromSeconds(3000)));
        metrics.OnEvent(Restored(T0.AddHours(2), "198.51.100.7")); // a restore has no detection time

        var lines = Lines(metrics);
        Assert.Contains("rebound_detection_seconds_bucket{le=\"0.5\"} 1", lines);
        Assert.Contains("rebound_detection_seconds_bucket{le=\"2\"} 1", lines);
        Assert.Contains("rebound_detection_seconds_bucket{le=\"5\"} 2", lines);
        Assert.Contains("rebound_detection_seconds_bucket{le=\"600\"} 2", lines);
        Assert.Contains("rebound_detection_seconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("rebound_detection_seconds_sum 3003.4", lines);
        Assert.Contains("rebound_detection_seconds_count 3", lines);
    }

    [Fact]
    public void Wan_events_count_by_kind_and_the_address_info_shows_only_the_current_address()
    {
        var metrics = new MetricsRegistry("1");
        metrics.OnEvent(Started(T0, "198.51.100.7", "2001:db8::1"));
        metrics.OnEvent(AddressChanged(T0.AddMinutes(1), "198.51.100.7", "203.0.113.9"));
        metrics.OnEvent(Lost(T0.AddMinutes(2), "2001:db8::1"));

        var lines = Lines(metrics);
        Assert.Contains("rebound_public_address_info{family=\"ipv4\",address=\"203.0.113.9\"} 1", lines);
        Assert.DoesNotContain(lines, l => l.Contains("198.51.100.7", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("2001:db8::1", StringComparison.Ordinal));
        Assert.Contains("rebound_upstream_up{family=\"ipv4\"} 1", lines);
        Assert.Contains("rebound_upstream_up{family=\"ipv6\"} 0", lines);
        Assert.Contains("rebound_wan_events_total{event=\"public-address-changed\"} 1", lines);
        Assert.Contains("rebound_wan_events_total{event=\"upstream-lost\"} 1", lines);
        Assert.DoesNotContain(lines, l => l.Contains("event=\"started\"", StringComparison.Ordinal));
        Assert.Contains("rebound_events_total 3", lines);
    }

    [Fact]
    public void Heal_steps_count_by_target_action_and_result_and_time_to_heal_is_per_target()
    {
        var metrics = new MetricsRegistry("1");
        metrics.OnEvent(HealStep(T0, "wg0", "reresolve", "done"));
        metrics.OnEvent(HealStep(T0, "wg0", "reresolve", "done"));
        metrics.OnEvent(HealStep(T0, "wg0", "restart", "failed"));
        metrics.OnEvent(HealVerified(T0, "wg0", "reresolve", 1500));
        metrics.OnEvent(HealFailed(T0, "tailscale", "not running"));

        var lines = Lines(metrics);
        Assert.Contains("rebound_heal_steps_total{target=\"wg0\",action=\"reresolve\",result=\"done\"} 2", lines);
        Assert.Contains("rebound_heal_steps_total{target=\"wg0\",action=\"restart\",result=\"failed\"} 1", lines);
        Assert.Contains("rebound_heal_seconds_bucket{target=\"wg0\",le=\"1\"} 0", lines);
        Assert.Contains("rebound_heal_seconds_bucket{target=\"wg0\",le=\"2\"} 1", lines);
        Assert.Contains("rebound_heal_seconds_sum{target=\"wg0\"} 1.5", lines);
        Assert.Contains("rebound_heal_failures_total{target=\"tailscale\"} 1", lines);
    }

    [Fact]
    public void Ddns_publish_time_is_per_provider_and_skips_forced_refreshes()
    {
        var metrics = new MetricsRegistry("1");
        metrics.OnEvent(DdnsUpdated(T0, "ddns[0]", "rfc2136", "203.0.113.9", 250));
        metrics.OnEvent(DdnsUpdated(T0, "ddns[0]", "rfc2136", "203.0.113.9", 90_000, refresh: true));
        metrics.OnEvent(DdnsFailed(T0, "ddns[1]", "cloudflare", "HTTP 403"));

        var lines = Lines(metrics);
        Assert.Contains("rebound_ddns_publish_seconds_count{provider=\"rfc2136\"} 1", lines);
        Assert.Contains("rebound_ddns_publish_seconds_bucket{provider=\"rfc2136\",le=\"0.25\"} 1", lines);
        Assert.Contains("rebound_ddns_updates_total{provider=\"rfc2136\",result=\"updated\"} 2", lines);
        Assert.Contains("rebound_ddns_updates_total{provider=\"cloudflare\",result=\"failed\"} 1", lines);
    }

    [Fact]
    public void Probes_and_probe_bytes_are_counted()
    {
        var metrics = new MetricsRegistry("1");
        metrics.ObserveProbe(20, 32, ok: true);
        metrics.ObserveProbe(20, 0, ok: false);

        var lines = Lines(metrics);
        Assert.Contains("rebound_probes_total{result=\"ok\"} 1", lines);
        Assert.Contains("rebound_probes_total{result=\"failed\"} 1", lines);
        Assert.Contains("rebound_probe_bytes_total{direction=\"sent\"} 40", lines);
        Assert.Contains("rebound_probe_bytes_total{direction=\"received\"} 32", lines);
    }

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        var metrics = new MetricsRegistry("1");
        metrics.OnEvent(HealStep(T0, "odd\"tar\\get\nx", "reresolve", "done"));

        Assert.Contains("target=\"odd\\\"tar\\\\get\\nx\"", metrics.Render(), StringComparison.Ordinal);
        Assert.Equal("a\\\\b\\n", PrometheusText.EscapeHelp("a\\b\n"));
        Assert.Equal("+Inf", PrometheusText.Number(double.PositiveInfinity));
        Assert.Equal("0.1", PrometheusText.Number(0.1));
    }

    [Fact]
    public void Promtool_accepts_the_exposition()
    {
        const string promtool = "/usr/bin/promtool";
        if (!File.Exists(promtool))
        {
            Assert.Skip("promtool is not installed (Debian package prometheus; scripts/install-deps)");
        }

        var metrics = new MetricsRegistry("0.4.0-dev+abc");
        metrics.OnEvent(Started(T0, "198.51.100.7", "2001:db8::1"));
        metrics.OnEvent(AddressChanged(T0, "198.51.100.7", "203.0.113.9", detectedIn: TimeSpan.FromSeconds(2)));
        metrics.OnEvent(HealStep(T0, "wg\"0\\", "reresolve", "done"));
        metrics.OnEvent(HealVerified(T0, "wg\"0\\", "reresolve", 1500));
        metrics.OnEvent(HealFailed(T0, "tailscale", "x"));
        metrics.OnEvent(DdnsUpdated(T0, "ddns[0]", "rfc2136", "203.0.113.9", 250));
        metrics.OnEvent(DdnsFailed(T0, "ddns[1]", "cloudflare", "HTTP 403"));
        metrics.ObserveProbe(20, 32, ok: true);

        using var process = Process.Start(new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.StandardInput.Write(metrics.Render());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"promtool check metrics failed:\n{output}");
        Assert.Equal("", output.Trim());
    }
}
