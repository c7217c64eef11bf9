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
    [InlineData("flush = true", 2, "router.flush", "a known key (flush_conntrack, wan_interfaces, keep)")]
    public void Bad_router_keys_are_file_line_key_problems(string line, int lineNumber, string key, string expected)
    {
        var result = Parse($"[router]\n{line}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(lineNumber, problem.Line);
        Assert.Equal(key, problem.Key);
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
    }
}
