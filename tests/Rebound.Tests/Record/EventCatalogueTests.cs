using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Act.Hooks;
using Rebound.Cli;
using Rebound.Decide;
using Rebound.Sense.Sources;
using Rebound.Record;

namespace Rebound.Tests.Record;

public sealed partial class EventCatalogueTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 4, 40, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Every_event_type_of_the_agent_is_in_the_catalogue_once_with_a_unique_name()
    {
        var types = typeof(ReboundEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ReboundEvent)) && !t.IsAbstract).ToHashSet();

        Assert.Equal(types.OrderBy(t => t.Name), EventCatalogue.All.Select(k => k.Type).OrderBy(t => t.Name));
        Assert.Equal(EventCatalogue.All.Count, EventCatalogue.Names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(EventCatalogue.All, k => Assert.Matches("^[a-z][a-z-]*[a-z]$", k.Name));
        Assert.All(EventCatalogue.All, k => Assert.Same(k, EventCatalogue.Find(k.Name)));
        Assert.Null(EventCatalogue.Find("upstream-lots"));
    }

    [Fact]
    public void Families_follow_the_emitting_part_of_the_agent()
    {
        foreach (var kind in EventCatalogue.All)
        {
            var expected = kind.Type switch
            {
                var t when t.IsSubclassOf(typeof(WanEvent)) => EventFamily.Wan,
                var t when t.IsSubclassOf(typeof(DdnsEvent)) => EventFamily.Ddns,
                var t when t.IsSubclassOf(typeof(HealEvent)) => EventFamily.Heal,
                var t when t.IsSubclassOf(typeof(HookEvent)) => EventFamily.Hook,
                var t when t.IsSubclassOf(typeof(AgentNotice)) => EventFamily.Agent,
                var t when t == typeof(Rebound.Act.Notify.NotifyFailed) => EventFamily.Notify,
                _ => throw new InvalidOperationException(kind.Name),
            };
            Assert.Equal(expected, kind.Family);
        }
    }

    [Fact]
    public void An_event_type_missing_from_the_catalogue_is_a_loud_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Uncatalogued(At).Name);
        Assert.Contains("Uncatalogued is not in the event catalogue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Heal_reasons_that_are_events_are_spelt_as_those_events()
    {
        Assert.Equal("started", new WatcherStarted(At, null, null, []).Name);
        Assert.Equal(new PublicAddressChanged(At, IpFamily.Ipv4, null, IPAddress.Loopback, new("x", 1, [])).Name, HealReason.PublicAddressChanged.ToName());
        Assert.Equal(new UpstreamRestored(At, IpFamily.Ipv4, IPAddress.Loopback, new("x", 1, [])).Name, HealReason.UpstreamRestored.ToName());
        Assert.Equal(new LocalNetworkChanged(At, []).Name, HealReason.LocalNetworkChanged.ToName());
    }

    /// <summary>
    /// <c>EventOutput.golden</c> was printed by the code before the catalogue (per-family writers and type switches), for
    /// the same events: <c>rebound run</c>'s output, JSON and text, must not change by a byte.
    /// </summary>
    [Fact]
    public void Json_and_text_are_byte_for_byte_what_the_agent_printed_before_the_catalogue()
    {
        var recorded = Samples().SelectMany(EventCatalogue.Record).ToList();
        var blocks = new List<string>();
        foreach (var json in new[] { true, false })
        {
            using var stdout = new MemoryStream();
            var printer = new EventPrinter(stdout, json);
            foreach (var r in recorded)
                printer.Print(r);
            blocks.Add(Encoding.UTF8.GetString(stdout.ToArray()));
        }

        blocks.AddRange(recorded.Select(r => $"{r.Kind}|{r.Target ?? "<null>"}|{r.Time:O}"));

        var goldenPath = Path.Combine(RepoRoot(), "tests", "Rebound.Tests", "Record", "EventOutput.golden");
        if (Environment.GetEnvironmentVariable("REBOUND_WRITE_GOLDEN") == "1")
        {
            // After an intentional change of the contract: regenerate, then review the diff.
            File.WriteAllText(goldenPath, string.Join("\n=====\n", blocks));
        }

        var golden = File.ReadAllText(goldenPath);
        Assert.Equal(golden, string.Join("\n=====\n", blocks));
    }

    [Fact]
    public void The_readme_event_tables_list_exactly_the_catalogue()
    {
        var readme = File.ReadAllLines(Path.Combine(RepoRoot(), "README.md"));
        var listed = new List<string>();
        for (var i = 0; i < readme.Length; i++)
        {
            if (!readme[i].StartsWith("| `event` |", StringComparison.Ordinal))
                continue;
            for (i += 2; i < readme.Length && readme[i].StartsWith('|'); i++)
            {
                var first = readme[i].Split('|')[1];
                listed.AddRange(Backticked().Matches(first).Select(m => m.Groups[1].Value));
            }
        }

        Assert.Equal(EventCatalogue.Names.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    /// <summary>Every kind, and the shapes its fields can take (nulls, several names, escapes).</summary>
    internal static IEnumerable<ReboundEvent> Samples()
    {
        var observations = new ProbeObservation[]
        {
            new("203.0.113.10:3478", IpFamily.Ipv4, IPAddress.Parse("198.51.100.2"), TimeSpan.FromMilliseconds(0.4123), null),
            new("stun.example:3478", IpFamily.Ipv4, null, TimeSpan.Zero, "timed out \"x\" é"),
            new("[2001:db8::10]:3478", IpFamily.Ipv6, IPAddress.Parse("2001:db8::5"), TimeSpan.FromMilliseconds(12.345), null),
        };
        var evidence = new WanEvidence("router-announcement: nat-pmp from 192.0.2.1", 2, observations) { LastSteady = At.AddSeconds(-3.5) };
        var bare = new WanEvidence("interval", 1, []);
        yield return new WatcherStarted(At, IPAddress.Parse("198.51.100.2"), null, ["a:1", "b:2"]);
        yield return new WatcherStarted(At, null, IPAddress.Parse("2001:db8::5"), []);
        yield return new PublicAddressChanged(At, IpFamily.Ipv4, IPAddress.Parse("198.51.100.2"), IPAddress.Parse("203.0.113.9"), evidence);
        yield return new PublicAddressChanged(At, IpFamily.Ipv6, null, IPAddress.Parse("2001:db8::9"), bare);
        yield return new UpstreamLost(At, IpFamily.Ipv4, null, evidence);
        yield return new UpstreamLost(At, IpFamily.Ipv6, IPAddress.Parse("2001:db8::9"), bare);
        yield return new UpstreamRestored(At, IpFamily.Ipv4, IPAddress.Parse("203.0.113.9"), evidence);
        yield return new LocalNetworkChanged(At, ["default ipv4 route via 10.77.0.1 dev eth0 added", "address 10.0.0.2/24 on eth0 removed"]);
        yield return new LocalNetworkChanged(At, []);
        yield return new PublicAddressChanged(At, IpFamily.Ipv4, IPAddress.Parse("198.51.100.2"), IPAddress.Parse("192.0.2.50"), evidence)
        {
            Ambiguous = true,
            Seen = [IPAddress.Parse("192.0.2.50"), IPAddress.Parse("192.0.2.51")],
        };
        yield return new SourcesDegraded(At, IpFamily.Ipv4, [AddressSourceKind.Http], [new FailingSourceKind(AddressSourceKind.Stun, "203.0.113.10:3478: timeout")]);
        yield return new SourcesRecovered(At, IpFamily.Ipv4, [AddressSourceKind.Stun]);
        yield return new DdnsUpdated(At, "ddns[0]", "rfc2136", ["gw.home.test", "b.home.test"], IPAddress.Parse("198.51.100.3"), 1234, Verified: true);
        yield return new DdnsUpdated(At, "ddns[1]", "dyndns2", ["x.example"], IPAddress.Parse("2001:db8::3"), 5, Verified: false) { Unchanged = true, Refresh = true };
        yield return new DdnsFailed(At, "ddns[0]", "cloudflare", ["gw.home.test"], "HTTP 403 <forbidden> \"no\"", TimeSpan.FromSeconds(12.345), false);
        yield return new DdnsFailed(At, "ddns[0]", "desec", ["a", "b"], "bad token", null, true);
        yield return new DdnsFailed(At, "ddns[0]", "desec", ["a"], "not served", null, false);
        yield return new DdnsWarning(At, "cache unreadable");
        foreach (var condition in Enum.GetValues<HealCondition>())
            yield return new HealStarted(At, "wireguard:wg0", HealReason.PublicAddressChanged, new HealDiagnosis(condition, []));
        yield return new HealStarted(At, "wireguard:wg0", HealReason.Periodic, new HealDiagnosis(HealCondition.FlowPinned, ["last handshake 190 s ago", "stun ok"]));
        yield return new HealStep(At, "wireguard:wg0", HealActionKind.RotatePort, HealStepResult.Done, 12, "listen port 51820 -> 43117");
        yield return new HealStep(At, "tailscale", HealActionKind.Restart, HealStepResult.Skipped, 0, "");
        yield return new HealStep(At, "router:conntrack", HealActionKind.FlushConntrack, HealStepResult.Unverified, 10000, "not working after 10s: x");
        yield return new HealVerified(At, "tailscale", HealActionKind.Rebind, 2140, "direct path 198.51.100.7:41641");
        yield return new HealFailed(At, "tailscale", "no rung verified", true, TimeSpan.FromSeconds(20));
        yield return new HealFailed(At, "tailscale", "x", false, null);
        yield return new HealFailed(At, "tailscale", "y", false, TimeSpan.FromSeconds(2.25));
        yield return new HealSkipped(At, "router:conntrack", HealReason.UpstreamRestored, new HealDiagnosis(HealCondition.UpstreamDown, []));
        yield return new HealSkipped(At, "t", HealReason.Startup, HealDiagnosis.Healthy("a", "b"));
        yield return new HealWarning(At, "", "m");
        yield return new HealWarning(At, "tailscale", "heal state not saved");
        yield return new HookFailed(At, 0, "hook[0] (/bin/notify)", "heal-failed", "exited with code 3", 3, false, 17);
        yield return new HookFailed(At, 1, "hook[1] (https://h/…)", "started", "timed out after 10s", null, true, 10000);
        yield return new HookDropped(At, 2, "hook[2] (/x)", "ddns-updated", 5);
        yield return new ConfigReloaded(At, "/etc/r.toml reloaded; restarting");
        yield return new ConfigRejected(At, "/etc/r.toml is not valid (problems above)");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rebound.slnx")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Rebound.slnx not found above the test binaries");
    }

    [GeneratedRegex("`([a-z][a-z-]*)`")]
    private static partial Regex Backticked();

    private sealed record Uncatalogued(DateTimeOffset Time) : ReboundEvent(Time);
}
