using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Custom;
using Rebound.Configuration;

namespace Rebound.Tests.Configuration;

/// <summary>What the new providers' entries refuse, at the key that is wrong, and what their check-config line shows.</summary>
public sealed class NewProviderConfigTests
{
    private const string UrlToken = "LITERALurlTOKEN123";

    private static ConfigResult Parse(string entry) =>
        ConfigLoader.Parse("[[ddns]]\n" + entry + "\n", "r.toml", name => name == "SECRET" ? "from-env" : null);

    private static ConfigProblem Problem(string entry, string key) =>
        Assert.Single(Parse(entry).Problems, p => p.Key == key);

    [Theory]
    [InlineData("provider = \"porkbun\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\napi_key = \"pk\"\nsecret_api_key_env = \"SECRET\"", "porkbun", "domain example.net, api_key from inline, secret_api_key from env SECRET")]
    [InlineData("provider = \"gandi\"\nnames = [\"example.net\"]\ndomain = \"example.net\"\ntoken_env = \"SECRET\"", "gandi", "domain example.net, token from env SECRET")]
    [InlineData("provider = \"digitalocean\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\ntoken_env = \"SECRET\"", "digitalocean", "domain example.net, token from env SECRET")]
    [InlineData("provider = \"linode\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\ntoken_env = \"SECRET\"", "linode", "domain example.net, token from env SECRET")]
    [InlineData("provider = \"godaddy\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\nkey_env = \"SECRET\"\nsecret_env = \"SECRET\"", "godaddy", "domain example.net, key from env SECRET, secret from env SECRET")]
    [InlineData("provider = \"namecheap\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\npassword_env = \"SECRET\"", "namecheap", "domain example.net, password from env SECRET")]
    [InlineData("provider = \"dynv6\"\nnames = [\"myhome.dynv6.net\"]\nzone = \"myhome.dynv6.net\"\ntoken_env = \"SECRET\"", "dynv6", "zone myhome.dynv6.net, token from env SECRET")]
    [InlineData("provider = \"freedns\"\nnames = [\"myhome.mooo.com\"]\ntoken_env = \"SECRET\"", "freedns", "token from env SECRET")]
    public void Each_reads_its_keys_and_describes_them_without_secrets(string entry, string provider, string described)
    {
        var result = Parse(entry);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var ddns = Assert.Single(result.Config!.Ddns);
        Assert.Equal(provider, ddns.Provider.Name);
        Assert.Equal(described, ddns.Provider.Describe(ddns.Settings));
        Assert.DoesNotContain("from-env", DdnsTableLine(ddns), StringComparison.Ordinal);
    }

    private static string DdnsTableLine(DdnsEntryConfig entry) => entry.Provider.Describe(entry.Settings) + entry.Provider.Identity(entry.Settings);

    [Fact]
    public void A_name_outside_the_domain_and_a_missing_secret_are_problems_at_their_keys()
    {
        var result = Parse("provider = \"gandi\"\nnames = [\"a.example.org\"]\ndomain = \"example.net\"");

        Assert.Contains(result.Problems, p => p.Key == "ddns[0].names" && p.Expected == "names inside domain example.net; a.example.org is not");
        Assert.Contains(result.Problems, p => p.Key == "ddns[0].token" && p.Expected.EndsWith("(missing)", StringComparison.Ordinal));
    }

    [Fact]
    public void Namecheap_refuses_ipv6_and_freedns_takes_one_record_per_entry()
    {
        Assert.Contains("A records only", Problem("provider = \"namecheap\"\nnames = [\"a.example.net\"]\nfamilies = [\"ipv4\", \"ipv6\"]\ndomain = \"example.net\"\npassword = \"p\"", "ddns[0].families").Expected, StringComparison.Ordinal);

        var two = Parse("provider = \"freedns\"\nnames = [\"a.mooo.com\", \"b.mooo.com\"]\nfamilies = [\"ipv4\", \"ipv6\"]\ntoken = \"t\"");
        Assert.Contains(two.Problems, p => p.Key == "ddns[0].names" && p.Expected.StartsWith("one name", StringComparison.Ordinal));
        Assert.Contains(two.Problems, p => p.Key == "ddns[0].families" && p.Expected.StartsWith("one family", StringComparison.Ordinal));
    }

    [Fact]
    public void A_custom_entry_is_read_and_described_without_the_urls_path()
    {
        var result = Parse($"provider = \"custom\"\nnames = [\"a.example.net\"]\nfamilies = [\"ipv4\", \"ipv6\"]\n"
            + $"url = \"https://dyn.example.net/u/{UrlToken}?h={{name}}&a={{ip}}&b={{ip6}}\"\nmethod = \"POST\"\n"
            + "headers = { Authorization = \"Bearer {secret}\", X-Client = \"rebound\" }\nbody = \"{name}\"\nsecret_env = \"SECRET\"\nsuccess = \"^good\"");

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        var entry = Assert.Single(result.Config!.Ddns);
        var settings = entry.SettingsAs<CustomSettings>();
        Assert.Equal([new("Authorization", "Bearer {secret}"), new("X-Client", "rebound")], settings.Headers);
        Assert.Equal("POST https://dyn.example.net/…, secret from env SECRET", entry.Provider.Describe(entry.Settings));
    }

    [Theory]
    [InlineData("url = \"https://x.example.net/?ip={ip}&k={key}\"", "ddns[0].url", "placeholders {name}, {ip}, {ip6}, {secret}; {key} is unknown")]
    [InlineData("url = \"https://x.example.net/?ip={ip}&k={secret}\"", "ddns[0].secret", "one of secret, secret_file or secret_env (a template uses {secret})")]
    [InlineData("url = \"https://x.example.net/?h={name}\"", "ddns[0].url", "a template that uses {ip} (families has ipv4)")]
    [InlineData("url = \"https://x.example.net/?ip={ip}\"\nbody = \"{ip}\"", "ddns[0].body", "no body with method GET (set method = \"POST\" or \"PUT\")")]
    [InlineData("url = \"https://x.example.net/?ip={ip}\"\nmethod = \"DELETE\"", "ddns[0].method", "GET, POST or PUT, found \"DELETE\"")]
    [InlineData("url = \"https://x.example.net/?ip={ip}\"\nsuccess = \"(good\"", "ddns[0].success", "a regular expression, found \"(good\"")]
    [InlineData("url = \"ftp://x.example.net/" + UrlToken + "?ip={ip}\"", "ddns[0].url", "an http:// or https:// URL template")]
    [InlineData("url = \"https://me:" + UrlToken + "@x.example.net/?ip={ip}\"", "ddns[0].url", "a URL template without user:password@ (put the password in secret and use {secret})")]
    [InlineData("url = \"https://x.example.net/?ip={ip}\"\nheaders = { Bad = 1 }", "ddns[0].headers.Bad", "a string, found an integer")]
    public void A_custom_entry_that_cannot_work_is_refused_at_its_key_without_quoting_the_url(string keys, string key, string expected)
    {
        var problem = Problem("provider = \"custom\"\nnames = [\"a.example.net\"]\n" + keys, key);

        Assert.Equal(expected, problem.Expected);
        Assert.DoesNotContain(UrlToken, problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("provider = \"dynv6\"\nnames = [\"myhome.dynv6.net\"]\nzone = \"myhome.dynv6.net\"\ntoken = \"t\"", true)]
    [InlineData("provider = \"godaddy\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\nkey = \"k\"\nsecret = \"s\"", true)]
    [InlineData("provider = \"namecheap\"\nnames = [\"a.example.net\"]\ndomain = \"example.net\"\npassword = \"p\"", false)]
    [InlineData("provider = \"freedns\"\nnames = [\"a.mooo.com\"]\ntoken = \"t\"", false)]
    public async Task A_provider_whose_api_reads_records_is_the_targets_verifier_and_drift_check(string entry, bool verified)
    {
        var config = Parse(entry).Config!;

        var (targets, owned, problem) = await DdnsTargets.CreateAsync(config, TargetIdKey.Ephemeral(), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Null(problem);
        Assert.Equal(verified, Assert.Single(targets).Verifier is not null);
        foreach (var disposable in owned)
            disposable.Dispose();
    }

    [Fact]
    public void The_unknown_provider_problem_lists_the_new_ones()
    {
        var problem = Problem("provider = \"nosuch\"\nnames = [\"a.example.net\"]", "ddns[0].provider");

        foreach (var name in new[] { "porkbun", "gandi", "digitalocean", "linode", "godaddy", "namecheap", "dynv6", "freedns", "custom" })
            Assert.Contains(name, problem.Expected, StringComparison.Ordinal);
        Assert.StartsWith($"one of {string.Join(", ", DdnsProviders.All.Select(p => p.Name))}, found", problem.Expected, StringComparison.Ordinal);
    }
}
