using Rebound.Act.Ddns;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns.Http;
using Rebound.Act.Ddns.Providers.Desec;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class DesecProviderAgainstFakeTests : IDisposable
{
    private const string Domain = "rebound-test.dedyn.io";
    private const string Token = "i-T3b1h_OI-H9ab8tRS98stGtURe";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));
    private readonly FakeDesecServer _server;
    private readonly DesecProvider _provider;
    private readonly List<object> _seen = [];

    public DesecProviderAgainstFakeTests()
    {
        _server = new FakeDesecServer(Domain, Token, _time, v4: "198.51.100.1", v6: "2001:db8::1");
        _provider = new DesecProvider(new DesecOptions { BaseUri = _server.BaseUri, Token = Token }, timeProvider: _time);
    }

    private async Task<DdnsUpdateResult> UpdateAsync(string address, DesecProvider? provider = null, string host = Domain)
    {
        var result = await (provider ?? _provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        _seen.Add(result);
        DdnsAssert.OneLine(result);
        return result;
    }

    [Fact]
    public async Task Ipv4_update_preserves_the_aaaa_record()
    {
        var result = await UpdateAsync("203.0.113.5");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/nic/update", request.Path);
        Assert.Equal([new("hostname", Domain), new("myipv4", "203.0.113.5"), new("myipv6", "preserve")], request.Query);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Domain}:{Token}")), request.Header("Authorization"));
        Assert.Equal(DdnsHttpConstants.UserAgent, request.Header("User-Agent"));
        Assert.Equal("203.0.113.5", _server.V4);
        Assert.Equal("2001:db8::1", _server.V6);
    }

    [Fact]
    public async Task Ipv6_update_preserves_the_a_record()
    {
        var result = await UpdateAsync("2001:db8::5");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal([new("hostname", Domain), new("myipv4", "preserve"), new("myipv6", "2001:db8::5")], _server.Requests[0].Query);
        Assert.Equal("198.51.100.1", _server.V4);
        Assert.Equal("2001:db8::5", _server.V6);
    }

    [Fact]
    public async Task Every_request_names_both_families()
    {
        await UpdateAsync("203.0.113.5");
        _time.Advance(TimeSpan.FromMinutes(1));
        await UpdateAsync("2001:db8::5");
        _time.Advance(TimeSpan.FromMinutes(1));
        await UpdateAsync("::ffff:203.0.113.6");

        Assert.Equal(3, _server.Requests.Count);
        Assert.All(_server.Requests, r =>
        {
            Assert.False(string.IsNullOrEmpty(r.QueryValue("myipv4")));
            Assert.False(string.IsNullOrEmpty(r.QueryValue("myipv6")));
        });
        Assert.Equal("203.0.113.6", _server.V4);
        Assert.Equal("2001:db8::5", _server.V6);
    }

    [Fact]
    public async Task Second_update_within_the_minute_waits_for_the_rest_of_it_without_a_request()
    {
        await UpdateAsync("203.0.113.5");
        _time.Advance(TimeSpan.FromSeconds(20));
        var gated = await UpdateAsync("2001:db8::5");

        Assert.Equal(DdnsOutcome.RetryLater, gated.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(40), gated.RetryAfter);
        Assert.Single(_server.Requests);

        _time.Advance(TimeSpan.FromSeconds(40));
        var later = await UpdateAsync("2001:db8::5");
        Assert.Equal(DdnsOutcome.Updated, later.Outcome);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Gate_is_per_domain()
    {
        using var other = new FakeDesecServer("other.dedyn.io", Token, _time);
        using var provider = new DesecProvider(new DesecOptions { BaseUri = other.BaseUri, Token = Token }, timeProvider: _time);

        var first = await UpdateAsync("203.0.113.5", provider, "other.dedyn.io");
        var second = await UpdateAsync("203.0.113.5", provider, Domain);

        Assert.Equal(DdnsOutcome.Updated, first.Outcome);
        // Not gated: the request reached the server (which does not know that domain, hence fatal).
        Assert.Equal(DdnsOutcome.Fatal, second.Outcome);
        Assert.Equal(2, other.Requests.Count);
    }

    [Fact]
    public async Task Http_429_honours_retry_after_and_keeps_the_gate_shut()
    {
        _server.Script(FakeResponse.Json("""{"detail":"Request was throttled. Expected available in 300 seconds."}""", 429)
            with { Headers = new Dictionary<string, string> { ["Retry-After"] = "300" } });
        var throttled = await UpdateAsync("203.0.113.5");

        Assert.Equal(DdnsOutcome.RetryLater, throttled.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(300), throttled.RetryAfter);

        _time.Advance(TimeSpan.FromMinutes(2));
        var gated = await UpdateAsync("203.0.113.5");
        Assert.Equal(DdnsOutcome.RetryLater, gated.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(3), gated.RetryAfter);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_measured_on_the_injected_clock()
    {
        var until = _time.GetUtcNow().AddSeconds(90).ToString("R");
        _server.Script(FakeResponse.Text("", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = until } });

        var throttled = await UpdateAsync("203.0.113.5");

        Assert.Equal(DdnsOutcome.RetryLater, throttled.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(90), throttled.RetryAfter);
    }

    [Fact]
    public async Task Servers_own_throttle_is_mapped_when_our_gate_is_off()
    {
        using var ungated = new DesecProvider(new DesecOptions { BaseUri = _server.BaseUri, Token = Token, MinimumInterval = TimeSpan.Zero }, timeProvider: _time);
        await UpdateAsync("203.0.113.5", ungated);
        _time.Advance(TimeSpan.FromSeconds(45));
        var throttled = await UpdateAsync("203.0.113.6", ungated);

        Assert.Equal(DdnsOutcome.RetryLater, throttled.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(15), throttled.RetryAfter);
        Assert.Equal("203.0.113.5", _server.V4);
    }

    [Fact]
    public async Task Bad_token_is_fatal_and_not_shown()
    {
        using var provider = new DesecProvider(new DesecOptions { BaseUri = _server.BaseUri, Token = "wrong-token-xyz" }, timeProvider: _time);
        var result = await UpdateAsync("203.0.113.5", provider);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("401", result.Message, StringComparison.Ordinal);
        DdnsAssert.NoSecret("wrong-token-xyz", result);
    }

    [Fact]
    public async Task Unknown_hostname_is_fatal()
    {
        using var provider = new DesecProvider(new DesecOptions { BaseUri = _server.BaseUri, Token = Token, Username = Domain }, timeProvider: _time);
        var result = await UpdateAsync("203.0.113.5", provider, "nothere.dedyn.io");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("404", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_error_and_odd_answers_retry_later()
    {
        _server.Script(FakeResponse.Text("", 500));
        var error = await UpdateAsync("203.0.113.5");
        _time.Advance(TimeSpan.FromMinutes(1));
        _server.Script(FakeResponse.Text(Token));
        var echo = await UpdateAsync("203.0.113.5");

        Assert.Equal(DdnsOutcome.RetryLater, error.Outcome);
        Assert.Equal(DdnsOutcome.RetryLater, echo.Outcome);
        Assert.Contains("***", echo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_is_retry_later()
    {
        _server.Dispose();
        var result = await UpdateAsync("203.0.113.5");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.True(result.RetryAfter >= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void Options_never_show_the_token() =>
        DdnsAssert.NoSecret(Token, new DesecOptions { Token = Token, Username = Domain });

    public void Dispose()
    {
        DdnsAssert.NoSecret(Token, [.. _seen]);
        _provider.Dispose();
        _server.Dispose();
    }
}
