using Rebound.Act.Ddns.Engine;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Route53;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class Route53ProviderAgainstFakeTests : IDisposable
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeRoute53Server _server;
    private readonly Route53Provider _provider;

    public Route53ProviderAgainstFakeTests()
    {
        _server = new FakeRoute53Server("Z0123456789ABC", "AKIDEXAMPLE", Secret, _time);
        _server.Records[("gw.example.org.", "A")] = ["198.51.100.1"];
        _server.Records[("zz.example.org.", "A")] = ["192.0.2.9"];
        _provider = Provider(Secret);
    }

    private Route53Provider Provider(string secret, string keyId = "AKIDEXAMPLE") =>
        new(new Route53Options { BaseUri = _server.BaseUri, ZoneId = "/hostedzone/Z0123456789ABC", AccessKeyId = keyId, SecretAccessKey = secret }, timeProvider: _time);

    private async Task<DdnsUpdateResult> UpdateAsync(string address, string host = "gw.example.org", Route53Provider? provider = null)
    {
        var result = await (provider ?? _provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Secret, result);
        return result;
    }

    [Fact]
    public async Task Upserts_a_signed_change_and_leaves_other_names()
    {
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(["203.0.113.7"], _server.Records[("gw.example.org.", "A")]);
        Assert.Equal(["192.0.2.9"], _server.Records[("zz.example.org.", "A")]);
        Assert.Equal(["GET", "POST"], _server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Unchanged_when_route53_already_holds_it_and_creates_a_missing_name()
    {
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1")).Outcome);
        Assert.Single(_server.Requests);

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("2001:db8::7", "new.example.org")).Outcome);
        Assert.Equal(["2001:db8::7"], _server.Records[("new.example.org.", "AAAA")]);
    }

    [Fact]
    public async Task A_wrong_secret_or_unknown_key_is_fatal()
    {
        using var wrong = Provider("not-the-secret");
        var bad = await UpdateAsync("203.0.113.7", provider: wrong);
        Assert.Equal(DdnsOutcome.Fatal, bad.Outcome);
        Assert.Contains("SignatureDoesNotMatch", bad.Message, StringComparison.Ordinal);

        using var unknown = Provider(Secret, "AKIDUNKNOWN");
        Assert.Contains("InvalidClientTokenId", (await UpdateAsync("203.0.113.7", provider: unknown)).Message, StringComparison.Ordinal);
        Assert.Equal(["198.51.100.1"], _server.Records[("gw.example.org.", "A")]);
    }

    [Fact]
    public async Task Throttling_and_a_change_in_progress_retry()
    {
        _server.Script(FakeRoute53Server.Error(400, "Throttling", "Rate exceeded"));
        var throttled = await UpdateAsync("203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, throttled.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.RetryAfter);

        _server.Script(FakeRoute53Server.Error(400, "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request."));
        Assert.Equal(DdnsOutcome.RetryLater, (await UpdateAsync("203.0.113.7")).Outcome);

        _server.Script(FakeResponse.Text("", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "9" } });
        Assert.Equal(TimeSpan.FromSeconds(9), (await UpdateAsync("203.0.113.7")).RetryAfter);
    }

    [Fact]
    public async Task An_invalid_change_batch_is_fatal_with_the_reason()
    {
        var result = await UpdateAsync("203.0.113.7", "gw.elsewhere.net");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("InvalidChangeBatch", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_entrys_ttl_is_upserted_and_the_same_address_under_another_ttl_is_rewritten()
    {
        // The fake lists every rrset with TTL 300.
        using var provider = new Route53Provider(
            new Route53Options { BaseUri = _server.BaseUri, ZoneId = "/hostedzone/Z0123456789ABC", AccessKeyId = "AKIDEXAMPLE", SecretAccessKey = Secret, Ttl = 120 },
            timeProvider: _time);

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("198.51.100.1", provider: provider)).Outcome);
        Assert.Contains("<TTL>120</TTL>", _server.Requests.Single(r => r.Method == "POST").Body, StringComparison.Ordinal);
        Assert.Equal(DdnsOutcome.Unchanged, (await UpdateAsync("198.51.100.1")).Outcome);
        Assert.Equal(["192.0.2.9"], _server.Records[("zz.example.org.", "A")]);
    }

    public void Dispose()
    {
        _provider.Dispose();
        _server.Dispose();
    }

    [Fact]
    public async Task As_verifier_it_reads_the_rrset_and_tells_a_failed_read_from_another_address()
    {
        Assert.Equal(DnsServing.Served, await _provider.CheckAsync("gw.example.org", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("gw.example.org", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("gw.example.org", IPAddress.Parse("2001:db8::7"), DdnsAssert.Ct));
        Assert.Equal(DnsServing.NotServed, await _provider.CheckAsync("new.example.org", IPAddress.Parse("198.51.100.1"), DdnsAssert.Ct));

        _server.Script(FakeRoute53Server.Error(400, "Throttling", "Rate exceeded"));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.example.org", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        _server.Script(new FakeResponse(502, "<html>Bad Gateway</html>", "text/html"));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.example.org", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        _server.Script(new FakeResponse(200, "<html>captive portal</html>", "text/html"));
        Assert.Equal(DnsServing.Unknown, await _provider.CheckAsync("gw.example.org", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));
        using var wrong = Provider("not-the-secret");
        Assert.Equal(DnsServing.Unknown, await wrong.CheckAsync("gw.example.org", IPAddress.Parse("203.0.113.7"), DdnsAssert.Ct));

        Assert.All(_server.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Equal(["198.51.100.1"], _server.Records[("gw.example.org.", "A")]);
    }
}
