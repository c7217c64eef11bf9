using Rebound.Act.Ddns;
using System.Net;
using System.Text.Json;
using Rebound.Act.Ddns.Http;
using Rebound.Act.Ddns.Providers.Cloudflare;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class CloudflareProviderAgainstFakeTests : IDisposable
{
    private const string Token = "YQSn-xWAQiiEh9qM58wZNnyQS7FUdoqGIUAbrh7T";
    private const string Zone = "example.com";
    private const string Host = "home.example.com";

    private readonly FakeCloudflareServer _server = new(Token, Zone);
    private readonly CloudflareProvider _provider;
    private readonly List<object> _seen = [];

    public CloudflareProviderAgainstFakeTests()
    {
        _provider = Provider();
    }

    private CloudflareProvider Provider(string token = Token, string? zoneId = null) =>
        new(new CloudflareOptions { BaseUri = _server.BaseUri, ApiToken = token, ZoneName = Zone, ZoneId = zoneId });

    private async Task<DdnsUpdateResult> UpdateAsync(string address, string host = Host, CloudflareProvider? provider = null)
    {
        var result = await (provider ?? _provider).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        _seen.Add(result);
        DdnsAssert.OneLine(result);
        return result;
    }

    private static void AssertCommonHeaders(RecordedRequest request)
    {
        Assert.Equal($"Bearer {Token}", request.Header("Authorization"));
        Assert.Equal(DdnsHttpConstants.UserAgent, request.Header("User-Agent"));
    }

    [Fact]
    public async Task First_update_looks_up_zone_and_record_then_patches_only_the_content()
    {
        var record = _server.AddRecord(Host, "A", "198.51.100.1");

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(3, _server.Requests.Count);

        var zones = _server.Requests[0];
        Assert.Equal(("GET", "/client/v4/zones"), (zones.Method, zones.Path));
        Assert.Equal([new("name", Zone)], zones.Query);

        var lookup = _server.Requests[1];
        Assert.Equal(("GET", $"/client/v4/zones/{_server.ZoneId}/dns_records"), (lookup.Method, lookup.Path));
        Assert.Equal([new("type", "A"), new("name", Host)], lookup.Query);

        var patch = _server.Requests[2];
        Assert.Equal(("PATCH", $"/client/v4/zones/{_server.ZoneId}/dns_records/{record.Id}"), (patch.Method, patch.Path));
        Assert.StartsWith("application/json", patch.Header("Content-Type"), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(patch.Body);
        var property = Assert.Single(body.RootElement.EnumerateObject());
        Assert.Equal("content", property.Name);
        Assert.Equal("203.0.113.7", property.Value.GetString());

        Assert.All(_server.Requests, AssertCommonHeaders);
        Assert.Equal("203.0.113.7", record.Content);
    }

    [Fact]
    public async Task Ids_are_cached_so_later_updates_are_one_patch()
    {
        var record = _server.AddRecord(Host, "A", "198.51.100.1");
        await UpdateAsync("203.0.113.7");

        var result = await UpdateAsync("203.0.113.8");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(4, _server.Requests.Count);
        Assert.Equal("PATCH", _server.Requests[3].Method);
        Assert.Equal("203.0.113.8", record.Content);
    }

    [Fact]
    public async Task Aaaa_records_are_looked_up_by_type()
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        var v6 = _server.AddRecord(Host, "AAAA", "2001:db8::1");

        var result = await UpdateAsync("2001:db8::2");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal("AAAA", _server.Requests[1].QueryValue("type"));
        Assert.Equal("2001:db8::2", v6.Content);
    }

    [Fact]
    public async Task Known_zone_id_skips_the_zone_lookup()
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        using var provider = Provider(zoneId: _server.ZoneId);

        var result = await UpdateAsync("203.0.113.7", provider: provider);

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal(2, _server.Requests.Count);
        Assert.DoesNotContain(_server.Requests, r => r.Path == "/client/v4/zones");
    }

    [Fact]
    public async Task Record_already_holding_the_address_is_unchanged_without_a_patch()
    {
        _server.AddRecord(Host, "A", "203.0.113.7");

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Unchanged, result.Outcome);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Ipv4_mapped_address_matching_the_record_is_unchanged()
    {
        _server.AddRecord(Host, "A", "203.0.113.7");

        var result = await UpdateAsync("::ffff:203.0.113.7");

        Assert.Equal(DdnsOutcome.Unchanged, result.Outcome);
        Assert.Equal("A", _server.Requests[1].QueryValue("type"));
    }

    [Fact]
    public async Task A_caller_supplied_http_client_is_used_and_left_open()
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        using var client = new HttpClient();
        using (var provider = new CloudflareProvider(new CloudflareOptions { BaseUri = _server.BaseUri, ApiToken = Token, ZoneName = Zone }, client))
            Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7", provider: provider)).Outcome);

        using var again = await client.GetAsync(_server.BaseUri, DdnsAssert.Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode); // no token on this request; what matters is the client still works
        Assert.Equal(DdnsHttpConstants.UserAgent, _server.Requests[0].Header("User-Agent"));
    }

    [Fact]
    public async Task Missing_record_is_fatal_with_a_clear_message()
    {
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("no A record", result.Message, StringComparison.Ordinal);
        Assert.Contains("create it first", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_records_of_the_same_name_are_fatal_rather_than_a_guess()
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        _server.AddRecord(Host, "A", "198.51.100.2");

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Unknown_zone_is_fatal()
    {
        using var provider = new CloudflareProvider(new CloudflareOptions { BaseUri = _server.BaseUri, ApiToken = Token, ZoneName = "example.org" });

        var result = await UpdateAsync("203.0.113.7", host: "home.example.org", provider: provider);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("zone example.org not found", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostname_outside_the_zone_is_fatal_without_a_request()
    {
        var result = await UpdateAsync("203.0.113.7", host: "home.example.net");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Invalid_token_401_is_fatal_and_carries_the_api_error()
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        using var provider = Provider(token: "not-the-token-0000");

        var result = await UpdateAsync("203.0.113.7", provider: provider);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("401", result.Message, StringComparison.Ordinal);
        Assert.Contains("10000 Authentication error", result.Message, StringComparison.Ordinal);
        DdnsAssert.NoSecret("not-the-token-0000", result);
    }

    [Fact]
    public async Task Token_without_edit_permission_403_is_fatal()
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        _server.TokenCanEdit = false;

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("lacks permission", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Http_429_at_any_step_honours_retry_after(int step)
    {
        _server.AddRecord(Host, "A", "198.51.100.1");
        for (int i = 0; i < step; i++)
            _server.Script(i == 0
                ? FakeResponse.Json(FakeCloudflareServer.Envelope(true, $$"""[{"id":"{{_server.ZoneId}}","name":"{{Zone}}"}]"""))
                : FakeResponse.Json(FakeCloudflareServer.Envelope(true, $$"""[{"id":"{{_server.Records[0].Id}}","name":"{{Host}}","type":"A","content":"198.51.100.1"}]""")));
        _server.Script(FakeCloudflareServer.Error(429, 10000, "Rate limited. Please wait and consider throttling your request speed")
            with { Headers = new Dictionary<string, string> { ["Retry-After"] = "37" } });

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(37), result.RetryAfter);
        Assert.Equal(step + 1, _server.Requests.Count);
    }

    [Fact]
    public async Task Http_429_without_retry_after_waits_five_minutes()
    {
        _server.Script(FakeCloudflareServer.Error(429, 10000, "Rate limited."));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(5), result.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Server_errors_retry_later_even_with_html_bodies(int status)
    {
        _server.Script(new FakeResponse(status, "<html>cloudflare error</html>", "text/html"));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains(status.ToString(), result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_false_in_a_200_is_not_taken_as_success()
    {
        _server.Script(FakeResponse.Json(FakeCloudflareServer.Envelope(false, "null", (1000, "Something odd"))));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains("1000 Something odd", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_request_400_is_fatal_with_the_api_error()
    {
        var record = _server.AddRecord(Host, "A", "198.51.100.1");
        await UpdateAsync("203.0.113.7");
        _server.Script(FakeCloudflareServer.Error(400, 9005, "Content for A record is invalid."));

        var result = await UpdateAsync("203.0.113.8");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("9005", result.Message, StringComparison.Ordinal);
        Assert.Equal("203.0.113.7", record.Content);
    }

    [Fact]
    public async Task Stale_cached_record_id_is_looked_up_again_once()
    {
        var old = _server.AddRecord(Host, "A", "198.51.100.1");
        await UpdateAsync("203.0.113.7");
        _server.Records.Remove(old);
        var recreated = _server.AddRecord(Host, "A", "198.51.100.1");

        var result = await UpdateAsync("203.0.113.8");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal("203.0.113.8", recreated.Content);
        Assert.Equal(["PATCH", "GET", "PATCH"], _server.Requests.Skip(3).Select(r => r.Method));
    }

    [Fact]
    public async Task Deleted_record_is_fatal()
    {
        var old = _server.AddRecord(Host, "A", "198.51.100.1");
        await UpdateAsync("203.0.113.7");
        _server.Records.Remove(old);

        var result = await UpdateAsync("203.0.113.8");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("no A record", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_error_messages_echoing_the_token_are_redacted()
    {
        _server.Script(FakeCloudflareServer.Error(400, 6003, $"Invalid request headers: token {Token} malformed"));

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("6003", result.Message, StringComparison.Ordinal);
        Assert.Contains("***", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_is_retry_later()
    {
        _server.Dispose();

        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains("zone lookup", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_never_show_the_token() =>
        DdnsAssert.NoSecret(Token, new CloudflareOptions { ApiToken = Token, ZoneName = Zone });

    [Fact]
    public async Task The_entrys_ttl_goes_in_the_patch_and_the_same_address_under_another_ttl_is_rewritten()
    {
        var record = _server.AddRecord(Host, "A", "198.51.100.1");
        using var provider = new CloudflareProvider(new CloudflareOptions { BaseUri = _server.BaseUri, ApiToken = Token, ZoneName = Zone, Ttl = 300 });

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("198.51.100.1", provider: provider)).Outcome);
        Assert.Equal(300, record.Ttl);
        using (var body = JsonDocument.Parse(_server.Requests.Single(r => r.Method == "PATCH").Body))
            Assert.Equal(300, body.RootElement.GetProperty("ttl").GetInt32());
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync("203.0.113.7")).Outcome);
        Assert.Equal(300, record.Ttl);
        Assert.DoesNotContain("ttl", _server.Requests.Last(r => r.Method == "PATCH").Body, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        DdnsAssert.NoSecret(Token, [.. _seen]);
        _provider.Dispose();
        _server.Dispose();
    }
}
