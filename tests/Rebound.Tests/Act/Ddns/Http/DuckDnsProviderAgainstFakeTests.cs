using Rebound.Act.Ddns;
using System.Net;
using Rebound.Act.Ddns.Http;
using Rebound.Act.Ddns.Providers.DuckDns;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class DuckDnsProviderAgainstFakeTests : IDisposable
{
    private const string Token = "a7c4d0ad-114e-40ef-ba1d-d217904a50f2";

    private readonly FakeDuckDnsServer _server = new(Token, "myhome");
    private readonly List<object> _seen = [];

    private DuckDnsProvider Provider(string token = Token) => new(new DuckDnsOptions { BaseUri = _server.BaseUri, Token = token });

    private async Task<DdnsUpdateResult> UpdateAsync(string host, string address, DuckDnsProvider? provider = null)
    {
        using var owned = provider is null ? Provider() : null;
        var result = await (provider ?? owned!).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        _seen.Add(result);
        DdnsAssert.OneLine(result);
        return result;
    }

    [Fact]
    public async Task Ipv4_update_sends_domains_token_and_ip()
    {
        var result = await UpdateAsync("myhome.duckdns.org", "203.0.113.9");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/update", request.Path);
        Assert.Equal([new("domains", "myhome"), new("token", Token), new("ip", "203.0.113.9")], request.Query);
        Assert.Equal(DdnsHttpConstants.UserAgent, request.Header("User-Agent"));
        Assert.Equal(("203.0.113.9", (string?)null), _server.Records["myhome"]);
    }

    [Fact]
    public async Task Ipv6_update_sends_ipv6_only_and_keeps_the_a_record()
    {
        await UpdateAsync("myhome.duckdns.org", "203.0.113.9");
        var result = await UpdateAsync("myhome.duckdns.org", "2001:db8::9");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        var request = _server.Requests[1];
        Assert.Equal([new("domains", "myhome"), new("token", Token), new("ipv6", "2001:db8::9")], request.Query);
        Assert.Equal(("203.0.113.9", "2001:db8::9"), _server.Records["myhome"]);
    }

    [Fact]
    public async Task Bare_subname_is_accepted()
    {
        var result = await UpdateAsync("myhome", "203.0.113.9");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal("myhome", _server.Requests[0].QueryValue("domains"));
    }

    [Fact]
    public async Task Ko_for_a_bad_token_is_fatal_and_does_not_leak_it()
    {
        using var provider = Provider("bad-token-value-123");
        var result = await UpdateAsync("myhome.duckdns.org", "203.0.113.9", provider);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("KO", result.Message, StringComparison.Ordinal);
        DdnsAssert.NoSecret("bad-token-value-123", result);
    }

    [Fact]
    public async Task Ko_for_an_unknown_subdomain_is_fatal()
    {
        var result = await UpdateAsync("someoneelse.duckdns.org", "203.0.113.9");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
    }

    [Fact]
    public async Task Server_errors_and_odd_bodies_retry_later()
    {
        _server.Script(FakeResponse.Text("", 502));
        var bad = await UpdateAsync("myhome.duckdns.org", "203.0.113.9");
        _server.Script(FakeResponse.Text("maybe " + Token));
        var odd = await UpdateAsync("myhome.duckdns.org", "203.0.113.9");
        _server.Script(FakeResponse.Text(Token));
        var echo = await UpdateAsync("myhome.duckdns.org", "203.0.113.9");

        Assert.Equal(DdnsOutcome.RetryLater, bad.Outcome);
        Assert.Equal(DdnsOutcome.RetryLater, odd.Outcome);
        Assert.Equal(DdnsOutcome.RetryLater, echo.Outcome);
        Assert.Contains("***", echo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_429_honours_retry_after()
    {
        _server.Script(FakeResponse.Text("", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "42" } });
        var result = await UpdateAsync("myhome.duckdns.org", "203.0.113.9");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(42), result.RetryAfter);
    }

    [Fact]
    public async Task Connection_refused_is_retry_later_and_the_token_in_the_url_does_not_leak()
    {
        using var provider = Provider();
        _server.Dispose();
        var result = await UpdateAsync("myhome.duckdns.org", "203.0.113.9", provider);

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
    }

    [Fact]
    public void Options_never_show_the_token() =>
        DdnsAssert.NoSecret(Token, new DuckDnsOptions { BaseUri = _server.BaseUri, Token = Token });

    public void Dispose()
    {
        DdnsAssert.NoSecret(Token, [.. _seen]);
        _server.Dispose();
    }
}
