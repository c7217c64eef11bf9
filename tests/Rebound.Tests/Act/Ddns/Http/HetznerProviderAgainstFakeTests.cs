using Rebound.Act.Ddns.Engine;
using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Hetzner;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class HetznerProviderAgainstFakeTests : IDisposable
{
    private const string Token = "hz-TOKEN-abcdef0123456789";
    private readonly FakeHetznerDnsServer _server = new("example.net", Token);
    private readonly HetznerProvider _provider;
    private readonly string _gw;

    public HetznerProviderAgainstFakeTests()
    {
        _gw = _server.Add("A", "gw", "198.51.100.1");
        _server.Add("A", "other", "192.0.2.9");
        _server.Add("AAAA", "gw", "2001:db8::1");
        _provider = new HetznerProvider(new HetznerOptions { BaseUri = _server.BaseUri, Token = Token, Zone = "example.net" });
    }

    private async Task<DdnsUpdateResult> UpdateAsync(string address, string host = "gw.example.net", HetznerProvider? provider = null)
    {
        var result = await (provider ?? _provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Token, result);
        return result;
    }

    [Fact]
    public async Task Puts_the_one_record_and_keeps_its_ttl_and_the_others()
    {
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(("A", "gw", "203.0.113.7", 300), _server.Records[_gw]);
        Assert.Contains(_server.Records.Values, r => r == ("A", "other", "192.0.2.9", 300));
        Assert.Contains(_server.Records.Values, r => r == ("AAAA", "gw", "2001:db8::1", 300));
        Assert.Equal(Token, _server.Requests[^1].Header("Auth-API-Token"));
    }

    [Fact]
    public async Task The_zone_is_looked_up_once_and_a_held_address_is_not_rewritten()
    {
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        Assert.Single(_server.Requests, r => r.Path == "/api/v1/zones");
        Assert.Single(_server.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task A_missing_record_is_created_and_the_apex_is_at()
    {
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("2001:db8::9", "example.net")).Outcome);
        Assert.Contains(_server.Records.Values, r => r == ("AAAA", "@", "2001:db8::9", HetznerOptions.DefaultTtl));
    }

    [Fact]
    public async Task A_wrong_token_is_fatal_and_an_unknown_zone_says_so()
    {
        using var wrong = new HetznerProvider(new HetznerOptions { BaseUri = _server.BaseUri, Token = "nope-nope", Zone = "example.net" });
        var bad = await UpdateAsync("203.0.113.7", provider: wrong);
        Assert.Equal(DdnsOutcome.Fatal, bad.Outcome);
        Assert.Contains("token", bad.Message, StringComparison.Ordinal);

        using var other = new HetznerProvider(new HetznerOptions { BaseUri = _server.BaseUri, Token = Token, Zone = "example.org" });
        var missing = await UpdateAsync("203.0.113.7", "gw.example.org", other);
        Assert.Equal(DdnsOutcome.Fatal, missing.Outcome);
        Assert.Contains("example.org not found", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limited_and_unprocessable_answers()
    {
        _server.Script(FakeResponse.Json("""{"message":"API rate limit exceeded"}""", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "30" } });
        var limited = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, limited.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), limited.RetryAfter);
        Assert.Contains("API rate limit exceeded", limited.Message, StringComparison.Ordinal);

        _server.Script(FakeResponse.Json("""{"zones":[{"id":"Hz0neId1","name":"example.net"}]}"""));
        _server.Script(FakeResponse.Json("""{"records":[]}"""));
        _server.Script(FakeResponse.Json("""{"record":{},"error":{"message":"422 Unprocessable Entity: invalid A record","code":422}}""", 422));
        var rejected = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.Fatal, rejected.Outcome);
        Assert.Contains("invalid A record", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(("A", "gw", "198.51.100.1", 300), _server.Records[_gw]);
    }

    [Fact]
    public async Task The_entrys_ttl_is_written_and_the_same_address_under_another_ttl_is_rewritten()
    {
        using var provider = new HetznerProvider(new HetznerOptions { BaseUri = _server.BaseUri, Token = Token, Zone = "example.net", Ttl = 120 });

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("198.51.100.1", provider: provider)).Outcome);
        Assert.Equal(("A", "gw", "198.51.100.1", 120), _server.Records[_gw]);
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1", provider: provider)).Outcome);
        Assert.Contains(_server.Records.Values, r => r == ("A", "other", "192.0.2.9", 300));
    }

    public void Dispose()
    {
        _provider.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task As_verifier_it_lists_the_records_and_tells_a_failed_read_from_another_address()
    {
        Assert.Equal(DnsServing.Served, await _provider.CheckAsync("gw.example.net", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.Served, await _provider.CheckAsync("gw.example.net", IPAddress.Parse("2001:db8::1"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("new.example.net", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));

        _server.Script(FakeResponse.Json("""{"message":"API rate limit exceeded"}""", 429));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        _server.Script(FakeResponse.Text("<html>maintenance</html>"));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        using var wrong = new HetznerProvider(new HetznerOptions { BaseUri = _server.BaseUri, Token = "nope-nope", Zone = "example.net" });
        Assert.Equal(DnsServing.Unknown, await wrong.CheckAsync("gw.example.net", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));

        Assert.All(_server.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Single(_server.Requests, r => r.Path == "/api/v1/zones" && r.Header("Auth-API-Token") == Token);
    }

    [Fact]
    public async Task A_record_list_that_is_not_json_is_retried_not_taken_for_an_empty_zone()
    {
        _server.Script(FakeResponse.Json("""{"zones":[{"id":"Hz0neId1","name":"example.net"}]}"""));
        _server.Script(FakeResponse.Text("<html>maintenance</html>"));
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.DoesNotContain(_server.Requests, r => r.Method is "POST" or "PUT");
    }
}
