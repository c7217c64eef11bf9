using Rebound.Act.Ddns;
using Rebound.Act.Heal;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

/// <summary>
/// A provider or heal target is one definition plus one registry line: nothing else in src/ knows it by name, and what
/// lists them (the provider problem, the known keys, check-config's help) follows the registries.
/// </summary>
public sealed class DefinitionSeamTests
{
    [Theory]
    [InlineData("duckdns", "Act/Ddns/Providers/DuckDns/")]
    [InlineData("desec", "Act/Ddns/Providers/Desec/")]
    [InlineData("porkbun", "Act/Ddns/Providers/Porkbun/")]
    [InlineData("gandi", "Act/Ddns/Providers/Gandi/")]
    [InlineData("digitalocean", "Act/Ddns/Providers/DigitalOcean/")]
    [InlineData("linode", "Act/Ddns/Providers/Linode/")]
    [InlineData("godaddy", "Act/Ddns/Providers/GoDaddy/")]
    [InlineData("namecheap", "Act/Ddns/Providers/Namecheap/")]
    [InlineData("dynv6", "Act/Ddns/Providers/Dynv6/")]
    [InlineData("afraid", "Act/Ddns/Providers/FreeDns/")]
    public void Only_a_providers_own_folder_and_the_registry_name_it(string name, string folder)
    {
        var src = Path.Combine(RepoRoot(), "src");
        var naming = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains(name, StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(Path.Combine(src, "Rebound.Core"), f).Replace('\\', '/'))
            .ToList();

        Assert.NotEmpty(naming);
        Assert.All(naming, f => Assert.True(f.StartsWith(folder, StringComparison.Ordinal) || f == "Act/Ddns/DdnsProviders.cs", $"{f} names {name}"));
    }

    [Fact]
    public void A_provider_the_registry_does_not_know_is_a_problem_listing_every_registered_one()
    {
        var result = ConfigLoader.Parse("[[ddns]]\nprovider = \"nosuchdns\"\nnames = [\"x.example.net\"]\n", "r.toml", _ => null);

        var problem = Assert.Single(result.Problems, p => p.Key == "ddns[0].provider");
        Assert.Equal($"one of {string.Join(", ", DdnsProviders.All.Select(p => p.Name))}, found \"nosuchdns\"", problem.Expected);
        Assert.Null(result.Config);
    }

    [Fact]
    public void Every_registered_table_is_a_known_top_level_key_and_nothing_else_is()
    {
        var result = ConfigLoader.Parse("[zerotier]\n", "r.toml", _ => null);

        var problem = Assert.Single(result.Problems);
        Assert.Equal($"a known key ({string.Join(", ", ConfigSchema.Tables.Select(t => t.Name))}); \"zerotier\" is unknown", problem.Expected);
        Assert.All(HealTargets.All, t => Assert.Contains(t, ConfigSchema.Tables));
    }

    [Fact]
    public void The_summary_has_a_line_for_every_table_of_a_file_that_has_them_all()
    {
        var result = ConfigLoader.Parse("""
            [[ddns]]
            provider = "duckdns"
            names = ["myhome"]
            token = "t"

            [[wireguard]]
            interface = "wg0"
            verify_ping = ["10.99.0.1"]

            [tailscale]
            enabled = false

            [router]
            wan_interfaces = ["wan1"]

            [[hook]]
            events = ["heal-failed"]
            command = ["/usr/local/bin/notify"]

            [http]
            listen = "off"
            control_socket = "/run/rb/ctl.sock"
            """, "r.toml", _ => null);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(
        [
            "watch: stun.l.google.com:19302, stun.cloudflare.com:3478, https://api.ipify.org/ every 5s (timeout 1s; confirm with 2 servers or 2 rounds; lost after 2 rounds)",
            "state: /var/lib/rebound",
            "ddns[0] (duckdns) line 1: myhome.duckdns.org (ipv4); token from inline; min interval 0s, refresh every 7d; not verified (no verify_server)",
            "wireguard[0] line 6: wg0; verified by ping 10.99.0.1 (timeout 300ms) within 3s; peer names from /etc/wireguard/wg0.conf if present, resolved every 5m; no restart",
            "tailscale: off (enabled = false)",
            "router: delete conntrack entries translated to a departed WAN; WAN interfaces wan1",
            "heal: every target diagnosed every 30s; at most 3 restarts per target per hour; an unverified ladder retried after 5s, doubling up to 5m",
            "hook[0] (/usr/local/bin/notify) line 16: on heal-failed; timeout 10s",
            "journal: events kept for 30d, at most 100000",
            "http: no listener; control socket /run/rb/ctl.sock",
        ], ConfigSummary.Describe(result.Config!));
        Assert.Equal(["router:conntrack", "wireguard:wg0"], HealTargets.Create(result.Config!, TimeProvider.System).Select(t => t.Name).Order());
    }

    /// <summary>The folder holding Rebound.slnx, found by walking up from the test binaries.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rebound.slnx")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"no Rebound.slnx above {AppContext.BaseDirectory}");
    }
}
