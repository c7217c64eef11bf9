using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Gandi;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class GandiProviderAgainstFakeTests : RecordApiContract<GandiProvider>
{
    private const string Token = "gandi-PAT-0123456789abcdef";
    private readonly FakeGandiServer _server = new(Domain, Token);

    private protected override FakeApiServer Server => _server;

    protected override string Secret => Token;

    protected override string RateLimitBody => """{"code":429,"message":"Too many requests","object":"HTTPTooManyRequests","cause":"Too Many Requests"}""";

    protected override GandiProvider Create(bool goodCredentials, string domain = Domain, int? ttl = null) =>
        new(new GandiOptions { BaseUri = _server.BaseUri, Domain = domain, Ttl = ttl, Token = goodCredentials ? Token : "gandi-wrong" });

    [Fact]
    public async Task Several_values_are_one_rrset_replaced_whole_and_a_validation_error_is_fatal()
    {
        _server.Set("gw", "A", "198.51.100.1", "198.51.100.2");
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        Assert.Equal(["203.0.113.7"], _server.Held("gw", "A"));

        _server.Script(FakeResponse.Json("""{"rrset_values":["203.0.113.1"],"rrset_ttl":600}"""));
        _server.Script(FakeResponse.Json("""{"code":400,"cause":"Bad Request","message":"Validation error","errors":[{"name":"rrset_ttl","description":"must be at least 300"}]}""", 400));
        var rejected = await UpdateAsync("203.0.113.9");
        Assert.Equal(DdnsOutcome.Fatal, rejected.Outcome);
        Assert.Contains("Validation error", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("rrset_ttl", rejected.Message, StringComparison.Ordinal);
    }
}
