using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.Router;
using Rebound.Configuration;

namespace Rebound.Tests.Act.Router;

public sealed class RouterConfigTests
{
    private static ConfigResult Parse(string text) => ConfigLoader.Parse(text, "/etc/rebound/rebound.toml", _ => null, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    [Fact]
    public void No_router_table_means_router_mode_off_and_no_target()
    {
        var result = Parse("[state]\ndirectory = \"/tmp/x\"\n");

        Assert.Empty(result.Problems);
        Assert.Empty(result.Config!.HealTargetsOf<RouterConntrackOptions>());
        Assert.DoesNotContain(HealTargets.Create(result.Config, TimeProvider.System), t => t.Name == "router:conntrack");
    }

    [Fact]
    public void Router_table_reads_all_keys_and_creates_the_target()
    {
        var result = Parse("""
            [router]
            flush_conntrack = true
            wan_interfaces = ["wan1", "wan2"]
            keep = ["203.0.113.7", "2001:db8::7"]
            """);

        Assert.Empty(result.Problems);
        var router = Assert.Single(result.Config!.HealTargetsOf<RouterConntrackOptions>());
        Assert.True(router.FlushConntrack);
        Assert.Equal(["wan1", "wan2"], router.WanInterfaces);
        Assert.Equal([IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")], router.Keep);
        Assert.Contains("router: delete conntrack entries translated to a departed WAN; WAN interfaces wan1, wan2; never touching 203.0.113.7, 2001:db8::7", ConfigSummary.Describe(result.Config));
        Assert.IsType<RouterConntrackTarget>(Assert.Single(HealTargets.Create(result.Config, TimeProvider.System), t => t.Name == "router:conntrack"));
    }

    [Fact]
    public void Empty_router_table_defaults_to_flushing_and_false_turns_it_off()
    {
        Assert.True(Assert.Single(Parse("[router]\n").Config!.HealTargetsOf<RouterConntrackOptions>()).FlushConntrack);
        var off = Parse("[router]\nflush_conntrack = false\n").Config!;
        Assert.False(Assert.Single(off.HealTargetsOf<RouterConntrackOptions>()).FlushConntrack);
        Assert.Empty(HealTargets.Create(off, TimeProvider.System));
    }

    [Theory]
    [InlineData("flush_conntrack = \"yes\"", 2, "router.flush_conntrack", "true or false, found")]
    [InlineData("wan_interfaces = []", 2, "router.wan_interfaces", "a non-empty array of interface names, found an empty array")]
    [InlineData("wan_interfaces = [\"a/b\"]", 2, "router.wan_interfaces", "an interface name (1-15 characters")]
    [InlineData("keep = [\"198.51.100.0/24\"]", 2, "router.keep", "an IPv4 or IPv6 address, found \"198.51.100.0/24\"")]
    [InlineData("flush = true", 2, "router.flush", "a known key (flush_conntrack, wan_interfaces, keep, wan)")]
    public void Bad_router_keys_are_file_line_key_problems(string line, int lineNumber, string key, string expected)
    {
        var result = Parse($"[router]\n{line}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(lineNumber, problem.Line);
        Assert.Equal(key, problem.Key);
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Router_wan_tables_add_their_interfaces_and_marks()
    {
        var result = Parse("""
            [router]
            wan_interfaces = ["wan1"]

            [[router.wan]]
            interface = "wan1"
            mark = "0x100/0xff00"

            [[router.wan]]
            interface = "lte0"
            """);

        Assert.Empty(result.Problems);
        var router = Assert.Single(result.Config!.HealTargetsOf<RouterConntrackOptions>());
        Assert.Equal(["wan1", "lte0"], router.WanInterfaces);
        Assert.Equal(new WanMark(0x100, 0xff00), Assert.Single(router.Marks).Value);
        Assert.Equal(0x100u, router.Uplinks.Marks["wan1"]);
        Assert.Contains(ConfigSummary.Describe(result.Config!), l => l.Contains("WAN interfaces wan1, lte0; marks wan1 0x100/0xff00", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("interface = \"wan1\"\nmark = \"0x1ff/0xff00\"", 4, "router.wan[1].mark", "a mark VALUE or VALUE/MASK")]
    [InlineData("interface = \"wan1\"\nmark = \"fast\"", 4, "router.wan[1].mark", "found \"fast\"")]
    [InlineData("interface = \"wan1\"\nmark = 256", 4, "router.wan[1].mark", "a mark VALUE or VALUE/MASK")]
    [InlineData("mark = \"0x100\"", 2, "router.wan[1].interface", "an interface name (missing)")]
    [InlineData("interface = \"a/b\"", 3, "router.wan[1].interface", "an interface name (1-15 characters")]
    [InlineData("interface = \"wan1\"\nweight = 3", 4, "router.wan[1].weight", "a known key (interface, mark)")]
    public void Bad_router_wan_tables_are_file_line_key_problems(string body, int lineNumber, string key, string expected)
    {
        var result = Parse($"[router]\n[[router.wan]]\n{body}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal("/etc/rebound/rebound.toml", problem.File);
        Assert.Equal(lineNumber, problem.Line);
        Assert.Equal(key, problem.Key);
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_wan_twice_is_a_problem()
    {
        var result = Parse("[router]\n[[router.wan]]\ninterface = \"wan1\"\n[[router.wan]]\ninterface = \"wan1\"\n");

        Assert.Equal("router.wan[2].interface", Assert.Single(result.Problems).Key);
    }
}
