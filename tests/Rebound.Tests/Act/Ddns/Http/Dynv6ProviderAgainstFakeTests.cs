using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Dynv6;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class Dynv6ProviderAgainstFakeTests : RecordApiContract<Dynv6Provider>
{
    private const string Token = "dynv6-HTTP-token-0123456789";
    private readonly FakeDynv6Server _server = new(Domain, Token);

    private protected override FakeApiServer Server => _server;

    protected override string Secret => Token;

    protected override string Apex => "";

    protected override bool KeepsTtl => false;

    protected override string RateLimitBody => """{"error":"too many requests"}""";

    protected override Dynv6Provider Create(bool goodCredentials, string domain = Domain, int? ttl = null) =>
        new(new Dynv6Options { BaseUri = _server.BaseUri, Domain = domain, Ttl = ttl, Token = goodCredentials ? Token : "dynv6-wrong" });

    [Fact]
    public async Task The_zones_own_address_is_a_patch_of_the_zone_and_its_ipv6_goes_in_ipv6prefix()
    {
        _server.Set("", "A", "198.51.100.1");

        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1", "example.net")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("2001:db8::5", "example.net")).Outcome);

        Assert.Equal(["2001:db8::5"], _server.Held("", "AAAA"));
        Assert.Equal(["198.51.100.1"], _server.Held("", "A"));
        var patch = Assert.Single(_server.Requests, r => r.Method == "PATCH");
        Assert.Equal("/api/v2/zones/3582646", patch.Path);
        Assert.Contains("ipv6prefix", patch.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_text_error_is_quoted_and_an_invalid_value_is_fatal()
    {
        Seed();
        _server.Script(FakeResponse.Json("""{"id":3582646,"name":"example.net","ipv4address":"","ipv6prefix":""}"""));
        _server.Script(FakeResponse.Json("[]"));
        _server.Script(FakeResponse.Text("data is invalid", 422));

        var result = await UpdateAsync("203.0.113.7", "new.example.net");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("data is invalid", result.Message, StringComparison.Ordinal);
    }
}
