using System.Runtime.Versioning;
using Rebound.Act.Ddns.Providers.Cloudflare;
using Rebound.Act.Ddns.Providers.Desec;
using Rebound.Act.Ddns.Providers.DuckDns;
using Rebound.Act.Ddns.Providers.Dyndns2;
using Rebound.Act.Ddns.Providers.Rfc2136;
using Rebound.Configuration;
using Rebound.Decide;

namespace Rebound.Tests.Configuration;

[SupportedOSPlatform("linux")]
public sealed class ConfigLoaderTests : IDisposable
{
    private const string KeySecret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    private const string DynPassword = "dyn-pass-Xq7Wz3kPq9vLm2RtY8sNb";
    private const string DuckToken = "a3c1f2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    private const string CfToken = "cfTokenHh81xYz0AbCdEfGhIjKlMnOpQrStUvWx";
    private const string DesecToken = "desecTokenLl02qRsTuVwXyZ0123";
    private const string InlineToken = "inlineTokenZz93aBcDeFgHiJkLmNo";

    private static readonly string[] Secrets = [KeySecret, DynPassword, DuckToken, CfToken, DesecToken, InlineToken];

    private readonly string _dir = Directory.CreateTempSubdirectory("rebound-config-").FullName;
    private readonly Dictionary<string, string> _env = new() { ["CF_API_TOKEN"] = CfToken, ["DESEC_TOKEN"] = DesecToken };

    public ConfigLoaderTests()
    {
        WriteSecretFile("home.key", $"key \"home-key\" {{\n\talgorithm hmac-sha256;\n\tsecret \"{KeySecret}\";\n}};\n");
        WriteSecretFile("dyn.pass", DynPassword + "\n");
        WriteSecretFile("duck.token", DuckToken + "\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string FullFile => $$"""
        [watch]
        servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
        interval = "1s"
        timeout = "500ms"
        confirm_servers = 2
        confirm_rounds = 3

        [state]
        directory = "/srv/rebound"

        [[ddns]]
        provider = "rfc2136"
        server = "203.0.113.53"
        zone = "home.test"
        names = ["gw.home.test"]
        ttl = 60
        key_file = "{{_dir}}/home.key"
        families = ["ipv4", "ipv6"]

        [[ddns]]
        provider = "dyndns2"
        url = "https://members.dyndns.org"
        username = "me"
        password_file = "{{_dir}}/dyn.pass"
        names = ["home.example.net"]
        min_interval = "30s"

        [[ddns]]
        provider = "cloudflare"
        zone = "example.com"
        names = ["home.example.com"]
        token_env = "CF_API_TOKEN"
        refresh = "1d"

        [[ddns]]
        provider = "duckdns"
        names = ["myhome"]
        token_file = "{{_dir}}/duck.token"

        [[ddns]]
        provider = "desec"
        names = ["home.dedyn.io"]
        token_env = "DESEC_TOKEN"
        """;

    [Fact]
    public void A_full_file_with_every_provider_parses_to_the_right_values()
    {
        var result = Parse(FullFile);

        Assert.Empty(result.Problems);
        Assert.Empty(result.Warnings);
        var config = Assert.IsType<ReboundConfig>(result.Config);
        Assert.True(result.IsValid);

        Assert.Equal(["203.0.113.10:3478", "203.0.113.11:3478"], config.Watch.Servers.Select(s => s.Name));
        Assert.Equal(TimeSpan.FromSeconds(1), config.Watch.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), config.Watch.ProbeTimeout);
        var options = config.Watch.ToWatcherOptions();
        Assert.Null(options.Validate());
        Assert.Equal(2, options.ConfirmServers);
        Assert.Equal(3, options.ConfirmRounds);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Interval);
        Assert.Equal(2, options.Targets.Count);
        Assert.Equal("/srv/rebound", config.State.Directory);

        Assert.Equal(5, config.Ddns.Count);
        var rfc = config.Ddns[0];
        Assert.Equal((0, 11, "rfc2136"), (rfc.Index, rfc.Line, rfc.Provider.Name));
        Assert.Equal(["gw.home.test"], rfc.Names);
        Assert.Equal([IpFamily.Ipv4, IpFamily.Ipv6], rfc.Families);
        Assert.Equal(TimeSpan.Zero, rfc.MinInterval);
        Assert.Equal(TimeSpan.FromDays(7), rfc.Refresh);
        var rfcSettings = Assert.IsType<Rfc2136Settings>(rfc.Settings);
        Assert.Equal(60, rfcSettings.Ttl);
        Assert.Equal(new HostPort("203.0.113.53", 53), rfcSettings.Server);
        Assert.Equal("home.test.", rfcSettings.Zone.ToString());
        Assert.Equal("home-key.", rfcSettings.Key!.Name.ToString());
        Assert.Equal(24, rfcSettings.Key.SecretLength);

        var dyn = config.Ddns[1];
        Assert.Equal("dyndns2", dyn.Provider.Name);
        Assert.Equal([IpFamily.Ipv4], dyn.Families);
        // Only rfc2136 writes a TTL: a dyndns2 entry has no such setting.
        var dynSettings = Assert.IsType<Dyndns2Settings>(dyn.Settings);
        Assert.Equal(TimeSpan.FromSeconds(30), dyn.MinInterval);
        Assert.Equal("https://members.dyndns.org/", dynSettings.Url.ToString());
        Assert.Equal("me", dynSettings.Username);
        Assert.Equal(DynPassword, dynSettings.Password.Reveal());
        Assert.Equal(DynPassword, Dyndns2Definition.Options(dynSettings).Password);

        var cf = config.Ddns[2];
        var cfSettings = cf.SettingsAs<CloudflareSettings>();
        Assert.Equal("example.com", cfSettings.Zone);
        Assert.Equal("https://api.cloudflare.com/", cfSettings.Api.ToString());
        Assert.Equal(CfToken, cfSettings.Token.Reveal());
        Assert.Equal("env CF_API_TOKEN", cfSettings.Token.Source);
        Assert.Equal(TimeSpan.FromDays(1), cf.Refresh);

        var duck = config.Ddns[3];
        Assert.Equal(["myhome.duckdns.org"], duck.Names);
        Assert.Equal(DuckToken, duck.SettingsAs<DuckDnsSettings>().Token.Reveal());
        Assert.Equal($"file {_dir}/duck.token", duck.SettingsAs<DuckDnsSettings>().Token.Source);

        var desec = config.Ddns[4];
        Assert.Equal(DesecToken, desec.SettingsAs<DesecSettings>().Token.Reveal());
        Assert.Equal(TimeSpan.FromMinutes(1), desec.MinInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), DesecDefinition.Options(desec.SettingsAs<DesecSettings>()).MinimumInterval);
    }

    [Fact]
    public void Defaults_apply_when_optional_tables_and_keys_are_left_out()
    {
        var result = Parse("""
            [[ddns]]
            provider = "desec"
            names = ["home.dedyn.io"]
            token = "t"
            """, env: new() { ["STATE_DIRECTORY"] = "/var/lib/rebound-unit:/other" });

        var config = Assert.IsType<ReboundConfig>(result.Config);
        Assert.Equal(StunTargetDefaults(), config.Watch.Servers.Select(s => s.Name));
        Assert.Equal(WanWatcherOptions.DefaultInterval, config.Watch.Interval);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Watch.ProbeTimeout);
        Assert.Equal("/var/lib/rebound-unit", config.State.Directory);
        Assert.Equal(TimeSpan.FromMinutes(1), config.Ddns[0].MinInterval);
        Assert.Equal(TimeSpan.FromDays(7), config.Ddns[0].Refresh);

        var noSystemd = Parse("[state]\n[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\n");
        Assert.Equal("/var/lib/rebound", noSystemd.Config!.State.Directory);
        Assert.Equal(TimeSpan.Zero, noSystemd.Config.Ddns[0].MinInterval);
    }

    [Theory]
    [InlineData("provider = \"rfc2136\"\nserver = \"ns\"\nzone = \"example.com\"")]
    [InlineData("provider = \"powerdns\"\nurl = \"http://ns:8081\"\napi_key = \"k\"\nzone = \"example.com\"")]
    [InlineData("provider = \"route53\"\nzone_id = \"Z1\"\naccess_key_id = \"AKID\"\nsecret_access_key = \"s\"")]
    [InlineData("provider = \"hetzner\"\nzone = \"example.com\"\ntoken = \"t\"")]
    [InlineData("provider = \"cloudflare\"\nzone = \"example.com\"\ntoken = \"t\"")]
    [InlineData("provider = \"gandi\"\ndomain = \"example.com\"\ntoken = \"t\"")]
    [InlineData("provider = \"porkbun\"\ndomain = \"example.com\"\napi_key = \"k\"\nsecret_api_key = \"s\"")]
    [InlineData("provider = \"digitalocean\"\ndomain = \"example.com\"\ntoken = \"t\"")]
    [InlineData("provider = \"linode\"\ndomain = \"example.com\"\ntoken = \"t\"")]
    [InlineData("provider = \"godaddy\"\ndomain = \"example.com\"\nkey = \"k\"\nsecret = \"s\"")]
    public void Ttl_is_a_key_of_every_provider_that_writes_one(string keys)
    {
        var with = Parse($"[[ddns]]\n{keys}\nnames = [\"home.example.com\"]\nttl = 300\n");
        var without = Parse($"[[ddns]]\n{keys}\nnames = [\"home.example.com\"]\n");

        Assert.Empty(with.Problems);
        var entry = Assert.Single(with.Config!.Ddns);
        Assert.True(entry.Provider.WritesTtl);
        Assert.Equal(300, entry.Ttl);
        Assert.Null(Assert.Single(without.Config!.Ddns).Ttl);
        if (entry.Settings is Rfc2136Settings rfc)
        {
            Assert.Equal(300, rfc.Ttl);
            Assert.Equal(Rfc2136Definition.DefaultTtl, without.Config.Ddns[0].SettingsAs<Rfc2136Settings>().Ttl);
        }
    }

    [Fact]
    public void Drift_check_is_read_and_defaults_to_ten_minutes()
    {
        const string Entry = "[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\n";
        Assert.Equal(TimeSpan.FromMinutes(10), Parse(Entry).Config!.Ddns[0].DriftCheck);
        Assert.Equal(TimeSpan.FromSeconds(30), Parse(Entry + "drift_check = \"30s\"\n").Config!.Ddns[0].DriftCheck);
        var zero = Assert.Single(Parse(Entry + "drift_check = \"0s\"\n").Problems);
        Assert.Equal("ddns[0].drift_check", zero.Key);
    }

    [Fact]
    public void A_file_without_ddns_entries_is_valid_and_keeps_no_records()
    {
        var result = Parse("[watch]\ninterval = \"1s\"\n");

        var config = Assert.IsType<ReboundConfig>(result.Config);
        Assert.Empty(config.Ddns);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Watch.Interval);
    }

    private static IEnumerable<string> StunTargetDefaults() => Rebound.Sense.Sources.AddressSources.PublicDefaults.Select(s => s.Name);

    private const string Duck = "[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\n";

    [Theory]
    // line, key, a piece of what was expected
    [InlineData("[watch]\ninterval = \"fast\"\n" + Duck, 2, "watch.interval", "a duration greater than zero like \"500ms\"")]
    [InlineData("[watch]\ninterval = \"0s\"\n" + Duck, 2, "watch.interval", "greater than zero")]
    [InlineData("[watch]\ninterval = 5\n" + Duck, 2, "watch.interval", "found an integer")]
    [InlineData("[watch]\nservers = []\n" + Duck, 2, "watch.servers", "a non-empty array of address sources")]
    [InlineData("[watch]\nservers = [\"a\",\n  \"bad host:1\"]\n" + Duck, 3, "watch.servers", "HOST[:PORT] or stun:HOST:PORT")]
    [InlineData("[watch]\nservers = [\"203.0.113.1:99999\"]\n" + Duck, 2, "watch.servers", "port must be")]
    [InlineData("[watch]\nservers = [\"203.0.113.1\", \"203.0.113.1:3478\"]\n" + Duck, 2, "watch.servers", "203.0.113.1:3478 is listed twice")]
    [InlineData("[watch]\nconfirm_rounds = 0\n" + Duck, 2, "watch.confirm_rounds", "an integer from 1 to 100, found 0")]
    [InlineData("[watch]\nservers = [\"a\"]\nconfirm_servers = 2\n" + Duck, 3, "watch.confirm_servers", "at most the number of servers that are not gateway hints (1)")]
    [InlineData("[watch]\nintervall = \"1s\"\n" + Duck, 2, "watch.intervall", "\"intervall\" is unknown")]
    [InlineData("[state]\ndirectory = \"var/lib\"\n" + Duck, 2, "state.directory", "an absolute directory path")]
    [InlineData("colour = 1\n" + Duck, 1, "colour", "a known key (watch, state, ddns")]
    [InlineData("ddns = 3\n", 1, "ddns", "[[ddns]] tables, found an integer")]
    [InlineData("[[ddns]]\nnames = [\"x\"]\ntoken = \"t\"\n", 1, "ddns[0].provider", "one of rfc2136, dyndns2, cloudflare, duckdns, desec, powerdns, route53, hetzner, porkbun, gandi, digitalocean, linode, godaddy, namecheap, dynv6, freedns, noip, dynu, ovh, custom (missing)")]
    [InlineData("[[ddns]]\nprovider = \"nosuchdns\"\nnames = [\"x\"]\n", 2, "ddns[0].provider", "found \"nosuchdns\"")]
    [InlineData("[[ddns]]\nprovider = \"nosuchdns\"\nnames = []\n", 3, "ddns[0].names", "a non-empty array of host names")]
    [InlineData("[[ddns]]\nprovider = \"nosuchdns\"\nnames = [\"x\"]\ntokn = \"t\"\n", 4, "ddns[0].tokn", "\"tokn\" is unknown")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = []\ntoken = \"t\"\n", 3, "ddns[0].names", "a non-empty array of host names, found an empty array")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\ntoken = \"t\"\n", 1, "ddns[0].names", "a non-empty array of host names (missing)")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"a\", 1]\ntoken = \"t\"\n", 3, "ddns[0].names", "found an array holding an integer")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"my home\"]\ntoken = \"t\"\n", 3, "ddns[0].names", "host names like")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"a.example.com\"]\ntoken = \"t\"\n", 3, "ddns[0].names", "a DuckDNS name")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\n", 1, "ddns[0].token", "one of token, token_file or token_env (missing)")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"\"\n", 4, "ddns[0].token", "a non-empty string")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\nttl = 60\n", 5, "ddns[0].ttl", "no ttl: a duckdns update carries no TTL (the provider's own applies)")]
    [InlineData("[[ddns]]\nprovider = \"noip\"\nnames = [\"x.example\"]\nusername = \"me\"\npassword = \"p\"\nttl = 60\n", 6, "ddns[0].ttl", "no ttl: a noip update carries no TTL")]
    [InlineData("[[ddns]]\nprovider = \"namecheap\"\ndomain = \"example.com\"\nnames = [\"home.example.com\"]\npassword = \"p\"\nttl = 60\n", 6, "ddns[0].ttl", "no ttl: a namecheap update carries no TTL")]
    [InlineData("[[ddns]]\nprovider = \"dynv6\"\nzone = \"x.dynv6.net\"\nnames = [\"x.dynv6.net\"]\ntoken = \"t\"\nttl = 60\n", 6, "ddns[0].ttl", "no ttl: a dynv6 update carries no TTL")]
    [InlineData("[[ddns]]\nprovider = \"freedns\"\nnames = [\"x.mooo.com\"]\ntoken = \"t\"\nttl = 60\n", 5, "ddns[0].ttl", "no ttl: a freedns update carries no TTL")]
    [InlineData("[[ddns]]\nprovider = \"hetzner\"\nzone = \"example.com\"\nnames = [\"home.example.com\"]\ntoken = \"t\"\nttl = \"60\"\n", 6, "ddns[0].ttl", "an integer of at least 0")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\nfamilies = [\"ipv5\"]\n", 5, "ddns[0].families", "found \"ipv5\"")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\nrefresh = \"0s\"\n", 5, "ddns[0].refresh", "greater than zero")]
    [InlineData("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\nmin_interval = \"-1s\"\n", 5, "ddns[0].min_interval", "a duration like \"500ms\"")]
    [InlineData("[[ddns]]\nprovider = \"rfc2136\"\nserver = \"ns:1:2\"\nzone = \"home.test\"\nnames = [\"gw.home.test\"]\n", 3, "ddns[0].server", "HOST or HOST:PORT")]
    [InlineData("[[ddns]]\nprovider = \"rfc2136\"\nzone = \"home.test\"\nnames = [\"gw.home.test\"]\n", 1, "ddns[0].server", "(missing)")]
    [InlineData("[[ddns]]\nprovider = \"rfc2136\"\nserver = \"ns\"\nzone = \"home.test\"\nnames = [\"gw.other.test\"]\n", 5, "ddns[0].names", "names inside zone home.test; gw.other.test is not")]
    [InlineData("[[ddns]]\nprovider = \"rfc2136\"\nserver = \"ns\"\nzone = \"home.test\"\nnames = [\"gw.home.test\"]\nttl = -1\n", 6, "ddns[0].ttl", "an integer of at least 0")]
    [InlineData("[[ddns]]\nprovider = \"rfc2136\"\nserver = \"ns\"\nzone = \"home.test\"\nnames = [\"gw.home.test\"]\nkey_file = \"/nonexistent/rebound.key\"\n", 6, "ddns[0].key_file", "a readable file; /nonexistent/rebound.key does not exist")]
    [InlineData("[[ddns]]\nprovider = \"cloudflare\"\nzone = \"example.com\"\nnames = [\"home.example.org\"]\ntoken = \"t\"\n", 4, "ddns[0].names", "names inside zone example.com")]
    [InlineData("[[ddns]]\nprovider = \"cloudflare\"\nzone = \"example.com\"\nnames = [\"home.example.com\"]\ntoken = \"t\"\napi = \"ftp://x\"\n", 6, "ddns[0].api", "an http:// or https:// URL")]
    [InlineData("[[ddns]]\nprovider = \"dyndns2\"\nusername = \"me\"\npassword = \"p\"\nnames = [\"x.example\"]\n", 1, "ddns[0].url", "(missing)")]
    [InlineData("[[ddns]]\nprovider = \"dyndns2\"\nurl = \"https://x\"\nusername = \"me\"\npassword = \"p\"\npassword_file = \"/p\"\nnames = [\"x.example\"]\n", 6, "ddns[0].password_file", "only one of password, password_file or password_env")]
    [InlineData("[[ddns]]\nprovider = \"dyndns2\"\nurl = \"https://x\"\nusername = \"me\"\npassword_env = \"REBOUND_TEST_UNSET\"\nnames = [\"x.example\"]\n", 5, "ddns[0].password_env", "environment variable REBOUND_TEST_UNSET to be set")]
    [InlineData(Duck + "[[ddns]]\nprovider = \"duckdns\"\nnames = [\"X.duckdns.org.\"]\ntoken = \"u\"\n", 7, "ddns[1].names", "x.duckdns.org (ipv4) is already in ddns[0] (line 3)")]
    public void Each_kind_of_problem_names_line_key_and_what_was_expected(string toml, int line, string key, string expected)
    {
        var result = Parse(toml);

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems, p => p.Key == key);
        Assert.Equal(line, problem.Line);
        Assert.Equal("rebound.toml", problem.File);
        Assert.Contains(expected, problem.Expected, StringComparison.Ordinal);
        Assert.StartsWith($"rebound.toml:{line}: {key}: expected ", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_name_in_two_entries_is_fine_for_different_families()
    {
        var result = Parse("""
            [[ddns]]
            provider = "duckdns"
            names = ["x"]
            token = "t"
            [[ddns]]
            provider = "duckdns"
            names = ["x"]
            families = ["ipv6"]
            token = "t"
            """);

        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Several_problems_are_all_listed_in_file_order()
    {
        var result = Parse("""
            [watch]
            servers = ["203.0.113.10:3478"]
            interval = "soon"
            colour = "blue"

            [[ddns]]
            provider = "rfc2136"
            server = "203.0.113.53"
            zone = "home.test"
            names = ["gw.elsewhere.test"]

            [[ddns]]
            provider = "cloudflare"
            zone = "example.com"
            names = []
            token = "a"
            token_env = "B"
            """);

        Assert.Null(result.Config);
        Assert.Equal(
        [
            "rebound.toml:3: watch.interval",
            "rebound.toml:4: watch.colour",
            "rebound.toml:10: ddns[0].names",
            "rebound.toml:15: ddns[1].names",
            "rebound.toml:17: ddns[1].token_env",
        ], result.Problems.Select(p => $"{p.File}:{p.Line}: {p.Key}").OrderBy(s => int.Parse(s.Split(':')[1])));
    }

    [Fact]
    public void A_toml_syntax_error_is_reported_with_its_line()
    {
        var result = Parse("[watch]\ninterval = \"1s\"\nservers = [\"a\",\n[[ddns]]\n");

        Assert.Null(result.Config);
        var problem = result.Problems[0];
        Assert.Equal(4, problem.Line);
        Assert.Equal("", problem.Key);
        Assert.StartsWith("rebound.toml:4: TOML syntax error: ", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_syntax_error_does_not_quote_an_unquoted_secret()
    {
        var result = Parse($"[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = {InlineToken}\n");

        Assert.NotEmpty(result.Problems);
        Assert.Equal(4, result.Problems[0].Line);
        AssertNoSecret(result);
    }

    [Fact]
    public void A_duplicate_key_is_a_syntax_error()
    {
        var result = Parse("[watch]\ninterval = \"1s\"\ninterval = \"2s\"\n" + Duck);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Line);
    }

    [Fact]
    public void Dotted_keys_and_inline_tables_are_read_like_tables()
    {
        var result = Parse("""
            watch.interval = "2s"
            ddns = [{ provider = "duckdns", names = ["x"], token = "t" }]
            """);

        Assert.Empty(result.Problems);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Config!.Watch.Interval);
        Assert.Equal("duckdns", result.Config.Ddns[0].Provider.Name);
        Assert.Equal(2, result.Config.Ddns[0].Line);
    }

    [Fact]
    public void An_explicit_rfc2136_server_port_is_kept()
    {
        var result = Parse("[[ddns]]\nprovider = \"rfc2136\"\nserver = \"[2001:db8::53]:5353\"\nzone = \"home.test\"\nnames = [\"home.test\"]\n");

        Assert.Empty(result.Problems);
        Assert.Equal(new HostPort("2001:db8::53", 5353), result.Config!.Ddns[0].SettingsAs<Rfc2136Settings>().Server);
        Assert.Null(result.Config.Ddns[0].SettingsAs<Rfc2136Settings>().Key);
    }

    [Fact]
    public void A_malformed_key_file_is_reported_against_the_key_file_line_without_the_secret()
    {
        WriteSecretFile("bad.key", $"key \"k\" {{ algorithm hmac-md5; secret \"{KeySecret}\"; }};\n");
        WriteSecretFile("two.key", $"key \"a\" {{ algorithm hmac-sha256; secret \"{KeySecret}\"; }};\nkey \"b\" {{ algorithm hmac-sha256; secret \"{KeySecret}\"; }};\n");
        var result = Parse($$"""
            [[ddns]]
            provider = "rfc2136"
            server = "ns"
            zone = "home.test"
            names = ["a.home.test"]
            key_file = "{{_dir}}/bad.key"
            [[ddns]]
            provider = "rfc2136"
            server = "ns"
            zone = "home.test"
            names = ["b.home.test"]
            key_file = "two.key"
            """, path: Path.Combine(_dir, "rebound.toml"));

        Assert.Equal(2, result.Problems.Count);
        Assert.Equal(6, result.Problems[0].Line);
        Assert.Contains("unsupported algorithm", result.Problems[0].Expected, StringComparison.Ordinal);
        Assert.Equal(12, result.Problems[1].Line);
        Assert.Contains("exactly one key clause in two.key, found 2", result.Problems[1].Expected, StringComparison.Ordinal);
        AssertNoSecret(result);
    }

    [Fact]
    public void A_secret_file_readable_by_others_gives_a_warning_and_600_does_not()
    {
        var toml = $$"""
            [[ddns]]
            provider = "rfc2136"
            server = "ns"
            zone = "home.test"
            names = ["a.home.test"]
            key_file = "{{_dir}}/home.key"
            [[ddns]]
            provider = "duckdns"
            names = ["x"]
            token_file = "{{_dir}}/duck.token"
            """;
        Assert.Empty(Parse(toml).Warnings);

        File.SetUnixFileMode(Path.Combine(_dir, "home.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = Parse(toml);

        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(6, warning.Line);
        Assert.Equal($"rebound.toml:6: ddns[0].key_file {_dir}/home.key is readable by group/others (mode 0644); chmod 600 it", warning.ToString());
        AssertNoSecret(result);
    }

    [Fact]
    public void An_inline_secret_in_a_config_file_others_can_read_gives_a_warning()
    {
        var path = Path.Combine(_dir, "rebound.toml");
        File.WriteAllText(path, $"[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"{InlineToken}\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var result = ConfigLoader.Load(path);

        Assert.True(result.IsValid);
        Assert.Equal(InlineToken, result.Config!.Ddns[0].SettingsAs<DuckDnsSettings>().Token.Reveal());
        var warning = Assert.Single(result.Warnings);
        Assert.Equal((4, "ddns[0].token"), (warning.Line, warning.Key));
        Assert.Contains("mode 0640", warning.Message, StringComparison.Ordinal);
        AssertNoSecret(result);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Empty(ConfigLoader.Load(path).Warnings);
    }

    [Fact]
    public void A_missing_config_file_is_one_problem()
    {
        var result = ConfigLoader.Load(Path.Combine(_dir, "absent.toml"));

        var problem = Assert.Single(result.Problems);
        Assert.Equal($"{_dir}/absent.toml: cannot read the configuration file: it does not exist", problem.ToString());
    }

    [Fact]
    public void Environment_secrets_come_from_the_environment_and_a_missing_variable_names_it()
    {
        var toml = "[[ddns]]\nprovider = \"desec\"\nnames = [\"home.dedyn.io\"]\ntoken_env = \"DESEC_TOKEN\"\n";

        Assert.Equal(DesecToken, Parse(toml).Config!.Ddns[0].SettingsAs<DesecSettings>().Token.Reveal());

        var missing = Parse(toml, env: []);
        var problem = Assert.Single(missing.Problems);
        Assert.Equal("rebound.toml:4: ddns[0].token_env: expected environment variable DESEC_TOKEN to be set and non-empty (it is not set)", problem.ToString());

        var blank = Parse(toml, env: new() { ["DESEC_TOKEN"] = " \n" });
        Assert.Contains("(it is empty)", Assert.Single(blank.Problems).Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void The_process_environment_is_used_by_default()
    {
        var name = $"REBOUND_TEST_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, "from-process");
        try
        {
            var result = ConfigLoader.Parse($"[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken_env = \"{name}\"\n", "rebound.toml");
            Assert.Equal("from-process", result.Config!.Ddns[0].SettingsAs<DuckDnsSettings>().Token.Reveal());
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Missing_and_empty_secret_files_are_problems_naming_the_file()
    {
        WriteSecretFile("empty.token", "\n");
        var result = Parse($"[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken_file = \"{_dir}/nope.token\"\n"
            + $"[[ddns]]\nprovider = \"duckdns\"\nnames = [\"y\"]\ntoken_file = \"{_dir}/empty.token\"\n");

        Assert.Equal(
        [
            $"rebound.toml:4: ddns[0].token_file: expected a readable file; {_dir}/nope.token does not exist",
            $"rebound.toml:8: ddns[1].token_file: expected a secret in {_dir}/empty.token, which is empty",
        ], result.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Secrets_never_appear_in_problems_warnings_or_ToString()
    {
        foreach (var name in new[] { "home.key", "dyn.pass", "duck.token" })
            File.SetUnixFileMode(Path.Combine(_dir, name), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var good = Parse(FullFile);
        Assert.True(good.IsValid);
        Assert.Equal(3, good.Warnings.Count);
        AssertNoSecret(good);
        foreach (var entry in good.Config!.Ddns)
        {
            var text = $"{entry} {entry.Settings} {(entry.Settings as Rfc2136Settings)?.Key}";
            Assert.DoesNotContain(Secrets, s => text.Contains(s, StringComparison.Ordinal));
        }

        Assert.Contains("Password = ***", good.Config.Ddns[1].SettingsAs<Dyndns2Settings>().ToString(), StringComparison.Ordinal);
        Assert.Equal("***", good.Config.Ddns[2].SettingsAs<CloudflareSettings>().Token.ToString());

        // Problems in entries that carry secrets: wrong types, conflicting sources, bad URLs, clipped long values.
        var bad = Parse($$"""
            [[ddns]]
            provider = "dyndns2"
            url = "https://me:{{DynPassword}}@members.dyndns.org"
            username = "me"
            password = "{{InlineToken}}"
            password_file = "{{_dir}}/dyn.pass"
            names = ["x.example"]
            [[ddns]]
            provider = "{{CfToken}}"
            names = ["y.example"]
            [[ddns]]
            provider = "cloudflare"
            zone = "example.com"
            names = ["z.example.com"]
            token = ["{{DuckToken}}"]
            [[ddns]]
            provider = "desec"
            names = ["{{DesecToken}}"]
            families = ["{{DesecToken}}"]
            refresh = "{{InlineToken}}"
            token = "{{DesecToken}}"
            """);
        Assert.True(bad.Problems.Count >= 4);
        AssertNoSecret(bad);
    }

    [Fact]
    public void The_summary_describes_every_entry_without_secrets()
    {
        var lines = ConfigSummary.Describe(Parse(FullFile).Config!);

        // watch, state, the five entries, then heal, journal and http with their defaults (the file has no such tables).
        Assert.Equal(10, lines.Count);
        Assert.Equal("watch: 203.0.113.10:3478, 203.0.113.11:3478 every 1s (timeout 500ms; confirm with 2 servers or 3 rounds; lost after 2 rounds)", lines[0]);
        Assert.Equal("state: /srv/rebound", lines[1]);
        Assert.Equal("ddns[0] (rfc2136) line 11: gw.home.test (ipv4+ipv6); server 203.0.113.53:53, zone home.test, ttl 60, key home-key (hmac-sha256); min interval 0s, refresh every 7d; verified at its server", lines[2]);
        Assert.Equal("ddns[2] (cloudflare) line 28: home.example.com (ipv4); zone example.com at https://api.cloudflare.com/, token from env CF_API_TOKEN; min interval 0s, refresh every 1d; not verified (no verify_server)", lines[4]);
        Assert.Contains("min interval 1m", lines[6], StringComparison.Ordinal);
        Assert.Equal("heal: every target diagnosed every 30s; at most 3 restarts per target per hour; an unverified ladder retried after 5s, doubling up to 5m", lines[7]);
        Assert.Equal("journal: events kept for 30d, at most 100000", lines[8]);
        Assert.Equal("http: status page and metrics on 127.0.0.1:9464; no control socket", lines[9]);
        Assert.DoesNotContain(lines, line => Secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1s", 1000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("3d", 259_200_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("0s", 0)]
    public void Durations_parse(string text, long milliseconds)
    {
        Assert.True(ConfigDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1 s")]
    [InlineData("1w")]
    [InlineData("1.2.3s")]
    [InlineData("99999d")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(ConfigDuration.TryParse(text, out _));

    private ConfigResult Parse(string toml, Dictionary<string, string>? env = null, string path = "rebound.toml")
    {
        var environment = env ?? _env;
        return ConfigLoader.Parse(toml, path, name => environment.GetValueOrDefault(name));
    }

    private static void AssertNoSecret(ConfigResult result)
    {
        var texts = result.Problems.Select(p => p.ToString()).Concat(result.Warnings.Select(w => w.ToString())).ToList();
        foreach (var text in texts)
            Assert.DoesNotContain(Secrets, s => text.Contains(s, StringComparison.Ordinal));
    }

    private void WriteSecretFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void An_empty_path_is_a_problem_not_an_exception()
    {
        var result = ConfigLoader.Load("");
        Assert.False(result.IsValid);
        Assert.Contains("not a valid path", Assert.Single(result.Problems).Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void A_watch_interval_beyond_a_day_is_a_problem()
    {
        var result = ConfigLoader.Parse("[watch]\nservers = [\"203.0.113.10:3478\", \"203.0.113.11:3478\"]\ninterval = \"60d\"\n[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\n", "r.toml");
        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Line);
        Assert.Equal("watch.interval", problem.Key);
        Assert.Contains("at most", problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Syntax_errors_never_quote_characters_of_an_unquoted_secret()
    {
        var result = ConfigLoader.Parse("[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = s3cretTOKENabc\n", "r.toml");
        Assert.NotEmpty(result.Problems);
        const string Secret = "s3cretTOKENabc";
        foreach (var p in result.Problems)
        {
            foreach (var quoted in System.Text.RegularExpressions.Regex.Matches(p.ToString(), "`([^`]+)`").Select(m => m.Groups[1].Value))
            {
                Assert.False(Secret.Contains(quoted, StringComparison.Ordinal), $"'{quoted}' from the secret is quoted in: {p}");
            }
        }
    }

    [Fact]
    public void Ipv6_interface_is_read_and_checked()
    {
        const string Rest = "[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\nfamilies = [\"ipv4\", \"ipv6\"]\n";
        var ok = ConfigLoader.Parse("[watch]\nipv6_interface = \"eth0\"\n" + Rest, "r.toml");
        Assert.True(ok.IsValid, string.Join("\n", ok.Problems));
        Assert.Equal("eth0", ok.Config!.Watch.Ipv6Interface);

        var bad = ConfigLoader.Parse("[watch]\nipv6_interface = \"eth0 wlan0\"\n" + Rest, "r.toml");
        var problem = Assert.Single(bad.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Equal("watch.ipv6_interface", problem.Key);
    }
}
