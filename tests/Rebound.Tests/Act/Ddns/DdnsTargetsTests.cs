using Rebound.Act.Ddns;
using Rebound.Configuration;

namespace Rebound.Tests.Act.Ddns;

public sealed class DdnsTargetsTests : IDisposable
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("rebound-idkey-");

    public void Dispose() => _state.Delete(recursive: true);

    private TargetIdKey Key => TargetIdKey.Load(_state.FullName, create: true);
    private static DdnsEntryConfig Entry(string text)
    {
        var result = ConfigLoader.Parse(text, "r.toml", _ => null);
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return result.Config!.Ddns[^1];
    }

    private const string Dyn = "[[ddns]]\nprovider = \"dyndns2\"\nurl = \"https://one.example.net\"\nusername = \"me\"\npassword = \"pw-1\"\nnames = [\"home.example.net\"]\n";

    [Fact]
    public void A_new_endpoint_or_credential_gets_a_new_cache_identity()
    {
        var key = Key;
        var id = DdnsTargets.TargetId(Entry(Dyn), key);

        Assert.NotEqual(id, DdnsTargets.TargetId(Entry(Dyn.Replace("one.example.net", "two.example.net", StringComparison.Ordinal)), key));
        Assert.NotEqual(id, DdnsTargets.TargetId(Entry(Dyn.Replace("pw-1", "pw-2", StringComparison.Ordinal)), key));
        Assert.NotEqual(id, DdnsTargets.TargetId(Entry(Dyn.Replace("\"me\"", "\"you\"", StringComparison.Ordinal)), key));
    }

    [Fact]
    public async Task A_new_ttl_gets_a_new_cache_identity_so_the_records_are_written_with_it()
    {
        const string Hetzner = "[[ddns]]\nprovider = \"hetzner\"\nzone = \"example.net\"\ntoken = \"t\"\nnames = [\"gw.example.net\"]\n";
        const string Rfc = "[[ddns]]\nprovider = \"rfc2136\"\nserver = \"203.0.113.53\"\nzone = \"example.net\"\nnames = [\"gw.example.net\"]\n";
        var key = Key;
        var id = DdnsTargets.TargetId(Entry(Hetzner), key);

        Assert.NotEqual(id, DdnsTargets.TargetId(Entry(Hetzner + "ttl = 300\n"), key));
        Assert.NotEqual(DdnsTargets.TargetId(Entry(Hetzner + "ttl = 300\n"), key), DdnsTargets.TargetId(Entry(Hetzner + "ttl = 600\n"), key));
        Assert.Equal(DdnsTargets.TargetId(Entry(Rfc), key), DdnsTargets.TargetId(Entry(Rfc + "ttl = 60\n"), key)); // its default
        Assert.NotEqual(DdnsTargets.TargetId(Entry(Rfc), key), DdnsTargets.TargetId(Entry(Rfc + "ttl = 300\n"), key));

        var parsed = ConfigLoader.Parse(Hetzner + "drift_check = \"30s\"\n", "r.toml", _ => null);
        var (targets, owned, problem) = await DdnsTargets.CreateAsync(parsed.Config!, key, TimeProvider.System, TestContext.Current.CancellationToken);
        foreach (var d in owned)
            d.Dispose();
        Assert.Null(problem);
        Assert.Equal(TimeSpan.FromSeconds(30), Assert.Single(targets).DriftCheck);
    }

    [Fact]
    public void Moving_an_entry_in_the_file_keeps_its_identity_and_the_id_holds_no_secret()
    {
        var other = "[[ddns]]\nprovider = \"duckdns\"\nnames = [\"x\"]\ntoken = \"t\"\n";
        var id = DdnsTargets.TargetId(Entry(Dyn), Key);

        Assert.Equal(id, DdnsTargets.TargetId(Entry(other + Dyn), Key));
        Assert.StartsWith("dyndns2-", id, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-1", id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_HTTP_provider_is_verified_only_where_a_verify_server_is_given()
    {
        var withCheck = Entry(Dyn + "verify_server = \"203.0.113.53\"\n");
        Assert.Equal(new HostPort("203.0.113.53", 53), withCheck.VerifyServer);

        var config = ConfigLoader.Parse(Dyn + "verify_server = \"203.0.113.53:5353\"\n" + Dyn.Replace("home.example.net", "other.example.net", StringComparison.Ordinal), "r.toml", _ => null).Config!;
        var (targets, owned, problem) = await DdnsTargets.CreateAsync(config, Key, TimeProvider.System, TestContext.Current.CancellationToken);
        foreach (var d in owned)
        {
            d.Dispose();
        }

        Assert.Null(problem);
        Assert.NotNull(targets[0].Verifier);
        Assert.Null(targets[1].Verifier);
    }

    [Fact]
    public async Task Providers_with_an_api_to_read_verify_there_without_a_verify_server()
    {
        const string text = """
            [[ddns]]
            provider = "route53"
            names = ["home.example.net"]
            zone_id = "Z0123456789ABCDEFGHIJ"
            access_key_id = "AKIAIOSFODNN7EXAMPLE"
            secret_access_key = "s3cret"

            [[ddns]]
            provider = "hetzner"
            names = ["gw.example.net"]
            token = "t0ken"
            zone = "example.net"

            [[ddns]]
            provider = "hetzner"
            names = ["vpn.example.net"]
            token = "t0ken"
            zone = "example.net"
            verify_server = "203.0.113.53"
            """;
        var parsed = ConfigLoader.Parse(text, "r.toml", _ => null);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Problems));
        var config = parsed.Config!;
        var (targets, owned, problem) = await DdnsTargets.CreateAsync(config, Key, TimeProvider.System, TestContext.Current.CancellationToken);
        foreach (var d in owned)
        {
            d.Dispose();
        }

        Assert.Null(problem);
        Assert.IsType<Rebound.Act.Ddns.Providers.Route53.Route53Provider>(targets[0].Verifier);
        Assert.IsType<Rebound.Act.Ddns.Providers.Hetzner.HetznerProvider>(targets[1].Verifier);
        Assert.IsType<Rebound.Act.Ddns.Engine.AuthoritativeVerifier>(targets[2].Verifier);
        Assert.True(config.Ddns[0].Provider.VerifiesAtItsServer);
        Assert.True(config.Ddns[1].Provider.VerifiesAtItsServer);
    }

    [Fact]
    public void A_bad_verify_server_is_a_config_problem_on_its_line()
    {
        var result = ConfigLoader.Parse(Dyn + "verify_server = \"ns1.example.net:99999\"\n", "r.toml", _ => null);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(7, problem.Line);
        Assert.Equal("ddns[0].verify_server", problem.Key);
    }

    /// <summary>
    /// The cache keys on disk must survive upgrades: a changed identity would resend every record once. These
    /// are the ids versions before the installation key wrote (and, before that, before the providers became
    /// definitions); a target carries its legacy id so that such records migrate.
    /// </summary>
    [Theory]
    [InlineData("provider = \"rfc2136\"\nserver = \"203.0.113.53\"\nzone = \"home.test\"\nnames = [\"gw.home.test\"]\nkey_file = \"KEY\"\n", "rfc2136-ad47b0411399")]
    [InlineData("provider = \"dyndns2\"\nurl = \"https://members.dyndns.org\"\nusername = \"me\"\npassword = \"dyn-pass\"\nnames = [\"home.example.net\"]\n", "dyndns2-69865435c7b5")]
    [InlineData("provider = \"cloudflare\"\nzone = \"example.com\"\nnames = [\"home.example.com\"]\ntoken = \"cf-token\"\n", "cloudflare-fd04053deba5")]
    [InlineData("provider = \"duckdns\"\nnames = [\"myhome\"]\ntoken = \"duck-token\"\n", "duckdns-2a099192e30b")]
    [InlineData("provider = \"desec\"\nnames = [\"home.dedyn.io\"]\ntoken = \"desec-token\"\n", "desec-9708b555470e")]
    public void Cache_identities_are_the_ones_earlier_versions_wrote(string entry, string id)
    {
        var key = Path.Combine(Path.GetTempPath(), $"rebound-golden-{Guid.NewGuid():N}.key");
        File.WriteAllText(key, "key \"home-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\";\n};\n");
        try
        {
            var config = Entry("[[ddns]]\n" + entry.Replace("KEY", key, StringComparison.Ordinal));
            Assert.Equal(id, DdnsTargets.LegacyTargetId(config));
            Assert.NotEqual(id, DdnsTargets.TargetId(config, Key));
        }
        finally
        {
            File.Delete(key);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_id_is_keyed_per_installation_and_stable_across_loads()
    {
        var entry = Entry(Dyn);
        var id = DdnsTargets.TargetId(entry, Key);
        var keyFile = Path.Combine(_state.FullName, TargetIdKey.FileName);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal([keyFile], Directory.GetFiles(_state.FullName)); // no temp file left
        var content = File.ReadAllText(keyFile);
        Assert.Equal(id, DdnsTargets.TargetId(entry, TargetIdKey.Load(_state.FullName, create: false)));
        Assert.Equal(content, File.ReadAllText(keyFile)); // never rewritten
        Assert.Matches("^dyndns2-[0-9a-f]{12}$", id);

        // Another installation (another key) gives the same entry another id; so does a key for one run only.
        using var other = new TempDirectory();
        Assert.NotEqual(id, DdnsTargets.TargetId(entry, TargetIdKey.Load(other.Path, create: true)));
        Assert.NotEqual(id, DdnsTargets.TargetId(entry, TargetIdKey.Ephemeral()));
    }

    [Fact]
    public void A_key_that_is_not_one_is_refused_and_a_one_shot_command_falls_back_to_a_key_of_its_own()
    {
        var keyFile = Path.Combine(_state.FullName, TargetIdKey.FileName);
        File.WriteAllText(keyFile, "not a key\n");

        var ex = Assert.ThrowsAny<IOException>(() => TargetIdKey.Load(_state.FullName, create: true));
        Assert.DoesNotContain("not a key", ex.Message, StringComparison.Ordinal);
        Assert.False(TargetIdKey.LoadOrEphemeral(_state.FullName, create: true).IsPersistent);
        Assert.Equal("not a key\n", File.ReadAllText(keyFile));

        using var missing = new TempDirectory();
        Assert.False(TargetIdKey.LoadOrEphemeral(missing.Path, create: false).IsPersistent);
        Assert.Empty(Directory.GetFiles(missing.Path)); // a dry run writes nothing
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("rebound-idkey-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
