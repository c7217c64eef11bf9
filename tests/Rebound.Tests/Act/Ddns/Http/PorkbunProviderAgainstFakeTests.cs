using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Porkbun;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class PorkbunProviderAgainstFakeTests : RecordApiContract<PorkbunProvider>
{
    private const string ApiKey = "pk1_0123456789abcdef";
    private const string SecretApiKey = "sk1_fedcba9876543210";
    private readonly FakePorkbunServer _server = new(Domain, ApiKey, SecretApiKey);

    private protected override FakeApiServer Server => _server;

    protected override string Secret => SecretApiKey;

    protected override string Apex => "";

    protected override string RateLimitBody => """{"status":"ERROR","message":"Rate limit exceeded."}""";

    private protected override bool IsWrite(RecordedRequest request) => request.Path.Contains("/edit/", StringComparison.Ordinal) || request.Path.Contains("/create/", StringComparison.Ordinal);

    protected override bool RewritesForTtl => false;

    protected override PorkbunProvider Create(bool goodCredentials, string domain = Domain, int? ttl = null) =>
        new(new PorkbunOptions { BaseUri = _server.BaseUri, Domain = domain, Ttl = ttl, ApiKey = ApiKey, SecretApiKey = goodCredentials ? SecretApiKey : "sk1_wrong" });

    [Fact]
    public async Task The_keys_go_in_the_body_and_a_domain_without_api_access_is_fatal()
    {
        Seed();
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        Assert.All(_server.Requests, r => Assert.Contains(ApiKey, r.Body, StringComparison.Ordinal));
        Assert.All(_server.Requests, r => Assert.Null(r.Header("Authorization")));

        using var other = Create(goodCredentials: true, domain: "example.org");
        var result = await UpdateAsync("203.0.113.7", "gw.example.org", other);
        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("not opted in to API access", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_status_in_a_200_is_not_taken_for_success()
    {
        Seed();
        _server.Script(FakeResponse.Json("""{"status":"ERROR","message":"Something went wrong"}"""));

        var result = await UpdateAsync("203.0.113.7");

        Assert.NotEqual(DdnsOutcome.Updated, result.Outcome);
        Assert.Contains("Something went wrong", result.Message, StringComparison.Ordinal);
    }
}
