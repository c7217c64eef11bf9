using System.Net;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.FreeDns;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class FreeDnsProviderAgainstFakeTests : IDisposable
{
    private const string Token = "a1B2c3D4e5F6g7H8i9J0kLmN";
    private readonly FakeFreeDnsServer _v4 = new(Token, "myhome.mooo.com", "198.51.100.1");
    private readonly FakeFreeDnsServer _v6 = new(Token, "myhome.mooo.com", "2001:db8::1");

    private FreeDnsProvider Create(string token = Token) =>
        new(new FreeDnsOptions { Ipv4Uri = _v4.BaseUri, Ipv6Uri = _v6.BaseUri, Token = token });

    private static async Task<DdnsUpdateResult> UpdateAsync(FreeDnsProvider provider, string address)
    {
        var result = await provider.UpdateAsync(new DdnsRecordUpdate("myhome.mooo.com", IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Token, result);
        return result;
    }

    [Fact]
    public async Task Updated_and_no_change_are_told_apart_and_each_family_has_its_server()
    {
        using var provider = Create();

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync(provider, "203.0.113.7")).Outcome);
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync(provider, "203.0.113.7")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync(provider, "2001:db8::7")).Outcome);

        Assert.Equal("203.0.113.7", _v4.Address);
        Assert.Equal("2001:db8::7", _v6.Address);
        Assert.Single(_v6.Requests);
    }

    [Fact]
    public async Task An_unknown_token_is_fatal_although_answered_with_200_and_never_quoted()
    {
        using var provider = Create("wrongTokenWrongToken");

        var result = await UpdateAsync(provider, "203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("does not know the token", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrongTokenWrongToken", result.Message, StringComparison.Ordinal);
        Assert.Equal("198.51.100.1", _v4.Address);
    }

    [Fact]
    public async Task A_rate_limit_and_an_unknown_answer_retry()
    {
        using var limited = new FakeHttpServer(_ => FakeResponse.Text("Too many requests", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "120" } });
        using var odd = new FakeHttpServer(_ => FakeResponse.Text("<html>please wait</html>"));
        using var first = new FreeDnsProvider(new FreeDnsOptions { Ipv4Uri = limited.BaseUri, Token = Token });
        using var second = new FreeDnsProvider(new FreeDnsOptions { Ipv4Uri = odd.BaseUri, Token = Token });

        var wait = await UpdateAsync(first, "203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, wait.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), wait.RetryAfter);
        Assert.Equal(DdnsOutcome.RetryLater, (await UpdateAsync(second, "203.0.113.7")).Outcome);
    }

    public void Dispose()
    {
        _v4.Dispose();
        _v6.Dispose();
    }
}
