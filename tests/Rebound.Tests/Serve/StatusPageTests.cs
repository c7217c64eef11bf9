using System.Net;
using System.Text.RegularExpressions;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Act.Hooks;
using Rebound.Act.Notify;
using Rebound.Cli.Serve;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Record.Status;
using Rebound.Sense.Sources;
using Rebound.Sense.Uplinks;
using Microsoft.Extensions.Time.Testing;
using static Rebound.Tests.Record.Status.SyntheticEvents;

namespace Rebound.Tests.Serve;

public sealed partial class StatusPageTests
{
    /// <summary>Breaks out of text, of a double- and of a single-quoted attribute, and opens a tag of its own.</summary>
    private const string Hostile = "x\"'><img src=x onerror=alert(1)><script>alert(2)</script>&amp;";

    private static readonly string[] Tags =
    [
        "html", "head", "meta", "noscript", "title", "style", "body", "span", "div", "header", "h1", "main", "section", "h2", "table", "thead",
        "tbody", "tr", "th", "td", "ol", "li", "details", "summary", "time", "pre", "p", "i", "svg", "g", "text", "rect", "line", "script",
    ];

    private static readonly FakeTimeProvider Clock = new(T0.AddHours(1));

    private static (StatusBoard Board, StatusHistory History) Fed(IEnumerable<ReboundEvent> events)
    {
        var board = new StatusBoard("1.0.0", Clock);
        var history = new StatusHistory();
        foreach (var e in events)
        {
            foreach (var recorded in EventCatalogue.Record(e))
            {
                board.OnEvent(recorded);
                history.OnEvent(recorded);
            }
        }

        return (board, history);
    }

    /// <summary>One event of every kind, with <see cref="Hostile"/> in every string it carries.</summary>
    private static IEnumerable<ReboundEvent> HostileEvents()
    {
        var t = T0;
        var evidence = new WanEvidence(Hostile, 2, [new ProbeObservation(Hostile, IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), TimeSpan.FromMilliseconds(1), Hostile)]);
        yield return new WatcherStarted(t, IPAddress.Parse("198.51.100.7"), null, [Hostile]);
        yield return new UplinkUp(t, Hostile, IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), Hostile);
        yield return new PublicAddressChanged(t.AddMinutes(1), IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), IPAddress.Parse("203.0.113.9"), evidence with { LastSteady = t.AddMinutes(1).AddSeconds(-1) });
        yield return new HealStarted(t.AddMinutes(1), Hostile, HealReason.PublicAddressChanged, new HealDiagnosis(HealCondition.FlowPinned, [Hostile]));
        yield return new HealStep(t.AddMinutes(1), Hostile, HealActionKind.RotatePort, HealStepResult.Done, 3, Hostile);
        yield return new HealVerified(t.AddMinutes(1).AddSeconds(1), Hostile, HealActionKind.RotatePort, 900, Hostile);
        yield return new HealFailed(t.AddMinutes(1).AddSeconds(2), Hostile, Hostile, false, TimeSpan.FromSeconds(5));
        yield return new HealSkipped(t.AddMinutes(1).AddSeconds(3), Hostile, HealReason.Periodic, HealDiagnosis.Healthy(Hostile));
        yield return new HealWarning(t.AddMinutes(1).AddSeconds(3), Hostile, Hostile);
        yield return new DdnsUpdated(t.AddMinutes(1).AddSeconds(2), Hostile, Hostile, [Hostile, "b" + Hostile], IPAddress.Parse("203.0.113.9"), 1500, Verified: true);
        yield return new DdnsFailed(t.AddMinutes(1).AddSeconds(3), Hostile, Hostile, [Hostile], Hostile, TimeSpan.FromSeconds(30), false);
        yield return new DdnsWarning(t.AddMinutes(1).AddSeconds(3), Hostile);
        yield return new SourcesDegraded(t.AddMinutes(2), IpFamily.Ipv4, [AddressSourceKind.Http], [new FailingSourceKind(AddressSourceKind.Stun, Hostile)]);
        yield return new SourcesRecovered(t.AddMinutes(3), IpFamily.Ipv4, [AddressSourceKind.Stun]);
        yield return new LocalNetworkChanged(t.AddMinutes(3), [Hostile]);
        yield return new UplinkDown(t.AddMinutes(4), Hostile, IpFamily.Ipv4, IPAddress.Parse("198.51.100.7"), Hostile);
        yield return new UpstreamLost(t.AddMinutes(4), IpFamily.Ipv4, IPAddress.Parse("203.0.113.9"), evidence);
        yield return new UpstreamRestored(t.AddMinutes(5), IpFamily.Ipv4, IPAddress.Parse("203.0.113.9"), evidence);
        yield return new HookFailed(t.AddMinutes(5), 0, Hostile, Hostile, Hostile, 3, false, 10);
        yield return new HookDropped(t.AddMinutes(5), 0, Hostile, Hostile, 1);
        yield return new NotifyFailed(t.AddMinutes(5), Hostile, Hostile, Hostile, 1, null);
        yield return new ConfigReloaded(t.AddMinutes(6), Hostile);
        yield return new ConfigRejected(t.AddMinutes(6), Hostile);
    }

    [Fact]
    public void No_event_field_can_add_markup_to_the_page()
    {
        var events = HostileEvents().ToList();
        Assert.Equal(EventCatalogue.Names.Order(), events.Select(e => e.Name).Distinct().Order());
        var (board, history) = Fed(events);

        var html = StatusPage.Document(board.Snapshot(), history);

        // Every tag is one of the page's own, with only the page's own attributes, each value quoted and closed.
        foreach (Match tag in TagPattern().Matches(html))
        {
            Assert.Contains(tag.Groups["name"].Value, Tags);
            var rest = AttributePattern().Replace(tag.Groups["attrs"].Value, "");
            Assert.True(rest.Trim() is "" or "/", $"unexpected attribute text in {tag.Value}");
        }

        Assert.Single(ScriptPattern().Matches(html));
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x&quot;&#39;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;&amp;amp;", html, StringComparison.Ordinal);
        // The hostile target reached the journal, the targets table, the timeline and the strips (escaped each time).
        Assert.Contains("data-target=\"x&quot;&#39;&gt;", html, StringComparison.Ordinal);
        Assert.Contains("data-subject=\"x&quot;&#39;&gt;", html, StringComparison.Ordinal);
        Assert.Contains("data-subject=\"uplink x&quot;&#39;&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_journal_lines_are_the_cli_summaries_with_the_json_on_demand()
    {
        var verified = HealVerified(T0.AddSeconds(3), "wireguard:wg0", "reresolve", 3100);
        var history = new StatusHistory();
        history.OnEvent(AddressChanged(T0, "198.51.100.7", "203.0.113.9", TimeSpan.FromSeconds(2.4)));
        history.OnEvent(verified);

        var html = StatusPage.Fragment(new StatusBoard("1.0.0", Clock).Snapshot(), history);

        Assert.Equal("works again after reresolve, 3100 ms after detection (handshake 1 s old)", StatusPage.SummaryText(verified));
        Assert.EndsWith(StatusPage.SummaryText(verified), verified.Summary, StringComparison.Ordinal);
        var journal = html[html.IndexOf("<ol id=\"journal\">", StringComparison.Ordinal)..];
        Assert.Matches(
            "^<ol id=\"journal\"><li><details data-seq=\"2\"><summary><time datetime=\"2026-11-26T06:00:03.000Z\">11-26 06:00:03.000</time> "
            + "<span class=\"kind heal\">heal-verified</span> <span class=\"target\">wireguard:wg0</span> "
            + "<span class=\"text\">works again after reresolve, 3100 ms after detection \\(handshake 1 s old\\)</span></summary><pre>\\{\n  &quot;time&quot;: &quot;2026-11-26T06:00:03.000Z&quot;,\n  &quot;event&quot;: &quot;heal-verified&quot;,",
            journal);
        Assert.Contains("<span class=\"kind wan\">public-address-changed</span> <span class=\"target\"></span> <span class=\"text\">ipv4 198.51.100.7 -&gt; 203.0.113.9", journal, StringComparison.Ordinal);
        Assert.StartsWith("<div id=\"page\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_timeline_draws_detection_then_each_target_on_one_scale()
    {
        var (board, history) = Fed([]);
        foreach (var e in new[]
        {
            Started(T0, "198.51.100.7"),
            AddressChanged(T0.AddMinutes(1), "198.51.100.7", "203.0.113.9", TimeSpan.FromSeconds(2)),
            HealStarted(T0.AddMinutes(1), "wireguard:wg0"),
            HealVerified(T0.AddMinutes(1).AddSeconds(3), "wireguard:wg0", "reresolve", 3000),
            DdnsFailed(T0.AddMinutes(1).AddSeconds(1), "ddns[0]", "rfc2136", "refused"),
        })
        {
            board.OnEvent(e);
            history.OnEvent(e);
        }

        var html = StatusPage.Document(board.Snapshot(), history);

        // 2 s + 3 s = 5 s fills the scale; 570 px of bars: 114 px per second.
        Assert.Contains("data-scale=\"5\"", html, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"bar detect\" x=\"330\" y=\"18\" width=\"228\" height=\"9\"><title>detected in 2.00 s</title></rect>", html, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"bar verified\" x=\"558\" y=\"32\" width=\"342\" height=\"9\"><title>wireguard:wg0: verified 3.00 s (reresolve)</title></rect>", html, StringComparison.Ordinal);
        Assert.Contains("<g class=\"target\" data-target=\"ddns[0]\" data-result=\"failed\">", html, StringComparison.Ordinal);
        Assert.Single(FailoverPattern().Matches(html));
    }

    [Theory]
    [InlineData(0.3, 1)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(4.2, 5)]
    [InlineData(5.5, 10)]
    [InlineData(31, 50)]
    public void The_timeline_scale_is_a_round_number_of_seconds(double longest, double scale) =>
        Assert.Equal(scale, StatusCharts.NiceCeiling(Math.Max(longest, 1)));

    [Fact]
    public void The_health_strips_colour_each_slice_by_its_worst_state()
    {
        var now = Clock.GetUtcNow();
        var history = new StatusHistory();
        history.OnEvent(Started(now.AddHours(-3), "198.51.100.7"));
        history.OnEvent(Lost(now.AddMinutes(-5), "198.51.100.7"));
        history.OnEvent(Restored(now.AddMinutes(-5).AddSeconds(2), "198.51.100.7"));

        var html = StatusPage.Fragment(new StatusBoard("1.0.0", Clock).Snapshot(), history);

        var strip = StripPattern().Match(html);
        Assert.True(strip.Success);
        var states = StatePattern().Matches(strip.Value).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(StatusCharts.Buckets, states.Count);
        Assert.Equal([.. Enumerable.Repeat("unknown", 84), .. Enumerable.Repeat("up", 11), "down"], states);
    }

    [GeneratedRegex("<(?<name>[a-zA-Z][a-zA-Z0-9]*)(?<attrs>[^>]*)>")]
    private static partial Regex TagPattern();

    [GeneratedRegex("\\s(?:[a-z][a-z0-9-]*|viewBox|http-equiv|text-anchor|aria-label)=\"[^\"<>]*\"|\\s(?:hidden|open)(?=\\s|$)")]
    private static partial Regex AttributePattern();

    [GeneratedRegex("<script>")]
    private static partial Regex ScriptPattern();

    [GeneratedRegex("<g class=\"failover\"")]
    private static partial Regex FailoverPattern();

    [GeneratedRegex("<g class=\"strip\" data-subject=\"upstream ipv4\".*?</g>")]
    private static partial Regex StripPattern();

    [GeneratedRegex("<rect class=\"h-\\w+\" data-state=\"(\\w+)\"")]
    private static partial Regex StatePattern();
}
