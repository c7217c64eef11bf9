using Rebound.Act.Ddns.Engine;
using System.Net;
using System.Text.Json.Nodes;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.PowerDns;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class PowerDnsProviderAgainstFakeTests : IDisposable
{
    private const string Key = "pdns-Secret-Key-42";
    private readonly FakePowerDnsServer _server = new("home.test", Key);
    private readonly PowerDnsProvider _provider;

    public PowerDnsProviderAgainstFakeTests()
    {
        _server.Records[("gw.home.test.", "A")] = (300, ["198.51.100.1"]);
        _server.Records[("gw.home.test.", "AAAA")] = (300, ["2001:db8::1"]);
        _server.Records[("other.home.test.", "A")] = (300, ["192.0.2.9"]);
        _provider = new PowerDnsProvider(new PowerDnsOptions { BaseUri = _server.BaseUri, ApiKey = Key, Zone = "home.test" });
    }

    private async Task<DdnsUpdateResult> UpdateAsync(string address, string host = "gw.home.test", PowerDnsProvider? provider = null)
    {
        var result = await (provider ?? _provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Key, result);
        return result;
    }

    [Fact]
    public async Task Replaces_only_the_rrset_of_that_name_and_family()
    {
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(300, _server.Records[("gw.home.test.", "A")].Ttl);
        Assert.Equal(["203.0.113.7"], _server.Records[("gw.home.test.", "A")].Contents);
        Assert.Equal(["2001:db8::1"], _server.Records[("gw.home.test.", "AAAA")].Contents);
        Assert.Equal(["192.0.2.9"], _server.Records[("other.home.test.", "A")].Contents);
        var patch = _server.Requests.Single(r => r.Method == "PATCH");
        Assert.Equal("/api/v1/servers/localhost/zones/home.test.", patch.Path);
        Assert.Equal(Key, patch.Header("X-API-Key"));
        var rrset = JsonNode.Parse(patch.Body)!["rrsets"]![0]!;
        Assert.Equal("REPLACE", rrset["changetype"]!.GetValue<string>());
        Assert.Equal("gw.home.test.", rrset["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_address_the_server_already_holds_is_not_sent_again()
    {
        var result = await UpdateAsync("198.51.100.1");

        Assert.Equal(DdnsOutcome.Unchanged, result.Outcome);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task A_record_changed_behind_its_back_is_corrected()
    {
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        _server.Records[("gw.home.test.", "A")] = (300, ["192.0.2.66"]);

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Contains("192.0.2.66", result.Message, StringComparison.Ordinal);
        Assert.Equal(["203.0.113.7"], _server.Records[("gw.home.test.", "A")].Contents);
    }

    [Fact]
    public async Task A_new_name_is_created_with_the_default_ttl()
    {
        var result = await UpdateAsync("2001:db8::7", "new.home.test");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(PowerDnsOptions.DefaultTtl, _server.Records[("new.home.test.", "AAAA")].Ttl);
        Assert.Equal(["2001:db8::7"], _server.Records[("new.home.test.", "AAAA")].Contents);
    }

    [Fact]
    public async Task A_wrong_api_key_is_fatal()
    {
        using var wrong = new PowerDnsProvider(new PowerDnsOptions { BaseUri = _server.BaseUri, ApiKey = "wrong-key", Zone = "home.test" });
        var result = await UpdateAsync("203.0.113.7", provider: wrong);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("API key", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_zone_is_fatal_and_names_it()
    {
        using var other = new PowerDnsProvider(new PowerDnsOptions { BaseUri = _server.BaseUri, ApiKey = Key, Zone = "elsewhere.test" });
        var result = await UpdateAsync("203.0.113.7", "gw.elsewhere.test", other);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("elsewhere.test not found", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_outside_the_zone_is_refused_before_sending()
    {
        var result = await UpdateAsync("203.0.113.7", "gw.other.test");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_422_is_fatal_with_the_servers_error()
    {
        _server.Script(FakeResponse.Json("""{"records":[]}"""));
        _server.Script(FakeResponse.Json("""{"error": "RRset gw.home.test. IN A: Conflicts with pre-existing RRset"}""", 422));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("Conflicts with pre-existing RRset", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limit_and_server_errors_retry_after_what_the_server_says()
    {
        _server.Script(FakeResponse.Text("slow down", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "17" } });
        var limited = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, limited.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(17), limited.RetryAfter);

        _server.Script(FakeResponse.Json("""{"error": "Backend error"}""", 500));
        var broken = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, broken.Outcome);
        Assert.Contains("Backend error", broken.Message, StringComparison.Ordinal);
        Assert.Equal(["198.51.100.1"], _server.Records[("gw.home.test.", "A")].Contents);
    }

    [Fact]
    public async Task The_entrys_ttl_is_written_and_the_same_address_under_another_ttl_is_rewritten()
    {
        using var provider = new PowerDnsProvider(new PowerDnsOptions { BaseUri = _server.BaseUri, ApiKey = Key, Zone = "home.test", Ttl = 120 });

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("198.51.100.1", provider: provider)).Outcome);
        Assert.Equal(120, _server.Records[("gw.home.test.", "A")].Ttl);
        Assert.Equal(["198.51.100.1"], _server.Records[("gw.home.test.", "A")].Contents);
        Assert.Equal(120, JsonNode.Parse(_server.Requests.Single(r => r.Method == "PATCH").Body)!["rrsets"]![0]!["ttl"]!.GetValue<int>());
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1", provider: provider)).Outcome);
        Assert.Equal(300, _server.Records[("other.home.test.", "A")].Ttl);
        Assert.Equal(300, _server.Records[("gw.home.test.", "AAAA")].Ttl);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task As_verifier_it_reads_the_zone_and_tells_a_failed_read_from_another_address()
    {
        Assert.Equal(DnsServing.Served, await _provider.CheckAsync("gw.home.test", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("gw.home.test", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("new.home.test", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));

        _server.Script(FakeResponse.Json("""{"error":"Service Unavailable"}""", 503));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.home.test", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        _server.Script(FakeResponse.Text("<html>proxy</html>"));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.home.test", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        using var wrong = new PowerDnsProvider(new PowerDnsOptions { BaseUri = _server.BaseUri, ApiKey = "not-the-key", Zone = "home.test" });
        Assert.Equal(DnsServing.Unknown, await wrong.CheckAsync("gw.home.test", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));

        Assert.All(_server.Requests, r => Assert.Equal("GET", r.Method));
    }
}
