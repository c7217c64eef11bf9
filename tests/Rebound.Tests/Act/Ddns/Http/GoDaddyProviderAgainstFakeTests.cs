using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.GoDaddy;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class GoDaddyProviderAgainstFakeTests : RecordApiContract<GoDaddyProvider>
{
    private const string Key = "gd-KEY-e4Xh2bQ";
    private const string KeySecret = "gd-SECRET-9fLm3Tz";
    private readonly FakeGoDaddyServer _server = new(Domain, Key, KeySecret);

    private protected override FakeApiServer Server => _server;

    protected override string Secret => KeySecret;

    protected override string RateLimitBody => """{"code":"TOO_MANY_REQUESTS","message":"Too many requests received within interval","retryAfterSec":30}""";

    protected override GoDaddyProvider Create(bool goodCredentials, string domain = Domain, int? ttl = null) =>
        new(new GoDaddyOptions { BaseUri = _server.BaseUri, Domain = domain, Ttl = ttl, Key = Key, Secret = goodCredentials ? KeySecret : "gd-wrong" });

    [Fact]
    public async Task A_429_without_retry_after_waits_its_retryAfterSec()
    {
        Seed();
        _server.Script(FakeResponse.Json("""{"code":"TOO_MANY_REQUESTS","message":"Too many requests received within interval","retryAfterSec":42}""", 429));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(42), result.RetryAfter);
        Assert.Contains("TOO_MANY_REQUESTS", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_without_api_access_is_fatal_and_says_so()
    {
        Seed();
        _server.AccessDenied = true;

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("HTTP 403", result.Message, StringComparison.Ordinal);
        Assert.Contains("not allowed access", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_record_gets_godaddys_smallest_ttl()
    {
        Seed();
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7", "new.example.net")).Outcome);
        Assert.Equal(GoDaddyOptions.DefaultTtl, _server.Records[("new", "A")].Ttl);
    }
}
