using System.Net;
using System.Text.RegularExpressions;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Providers.Custom;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class CustomProviderAgainstFakeTests : IDisposable
{
    private const string Secret = "s3cr&t/+=key";
    private readonly FakeCustomService _service = new(Secret);

    private static CustomProvider Create(string url, string method = "GET", string? body = null, string? success = "^(good|nochg) ", string secret = Secret,
        params KeyValuePair<string, string>[] headers) =>
        new(new CustomOptions
        {
            Url = url,
            Method = method,
            Body = body,
            Secret = secret,
            Headers = headers.Length > 0 ? headers : [new("Authorization", "Bearer {secret}")],
            Success = success is null ? null : new Regex(success, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
        });

    private string Url(string query) => new Uri(_service.BaseUri, "update?" + query).ToString();

    private static async Task<DdnsUpdateResult> UpdateAsync(CustomProvider provider, string address, string host = "gw.example.net")
    {
        var result = await provider.UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        DdnsAssert.OneLine(result);
        DdnsAssert.NoSecret(Secret, result);
        return result;
    }

    [Fact]
    public async Task The_templates_are_filled_in_with_the_url_values_encoded_and_the_header_as_is()
    {
        using var provider = Create(Url("host={name}&ip={ip}&ip6={ip6}"));

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync(provider, "203.0.113.7")).Outcome);
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync(provider, "2001:db8::7", "v6.example.net")).Outcome);

        Assert.Equal("203.0.113.7", _service.Addresses["gw.example.net"]);
        Assert.Equal("2001:db8::7", _service.Addresses["v6.example.net"]);
        var first = _service.Requests[0];
        Assert.Equal("GET", first.Method);
        Assert.Equal($"Bearer {Secret}", first.Header("Authorization"));
        Assert.Equal("", first.QueryValue("ip6"));
        Assert.Equal("", _service.Requests[1].QueryValue("ip"));
    }

    [Fact]
    public async Task A_secret_in_the_url_is_encoded_and_an_answer_echoing_it_is_redacted()
    {
        using var good = Create(Url("key={secret}&host={name}&ip={ip}"));
        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync(good, "203.0.113.7")).Outcome);
        Assert.Equal(Secret, _service.Requests[^1].QueryValue("key"));

        // The service quotes the key it was sent; it must not reach the message, raw or escaped.
        using var wrong = Create(Url("key={secret}X&host={name}&ip={ip}"));
        var result = await UpdateAsync(wrong, "203.0.113.8");
        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("does not match success", result.Message, StringComparison.Ordinal);
        Assert.Contains("badauth", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_sends_the_body_template_as_json_and_any_2xx_is_success_without_a_regex()
    {
        using var echo = new FakeHttpServer(_ => new FakeResponse(204, ""));
        using var provider = new CustomProvider(new CustomOptions
        {
            Url = new Uri(echo.BaseUri, "records/{name}").ToString(),
            Method = "PUT",
            Body = """{"content":"{ip}","token":"{secret}"}""",
            Secret = Secret,
        });

        Assert.Equal(DdnsOutcome.Updated, (await UpdateAsync(provider, "203.0.113.7")).Outcome);

        var sent = Assert.Single(echo.Requests);
        Assert.Equal("PUT", sent.Method);
        Assert.Equal("/records/gw.example.net", sent.Path);
        Assert.Equal($$"""{"content":"203.0.113.7","token":"{{Secret}}"}""", sent.Body);
        Assert.StartsWith("application/json", sent.Header("Content-Type"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_credentials_are_fatal_and_rate_limits_and_outages_retry()
    {
        using var wrong = Create(Url("host={name}&ip={ip}"), secret: "other-secret");
        var refused = await UpdateAsync(wrong, "203.0.113.7");
        Assert.Equal(DdnsOutcome.Fatal, refused.Outcome);
        Assert.Contains("refused the credentials (HTTP 401)", refused.Message, StringComparison.Ordinal);

        using var limited = new FakeHttpServer(_ => FakeResponse.Text("slow down", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "45" } });
        using var first = new CustomProvider(new CustomOptions { Url = new Uri(limited.BaseUri, "?ip={ip}").ToString() });
        var wait = await UpdateAsync(first, "203.0.113.7");
        Assert.Equal(DdnsOutcome.RetryLater, wait.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(45), wait.RetryAfter);

        using var down = new FakeHttpServer(_ => FakeResponse.Text("oops", 503));
        using var second = new CustomProvider(new CustomOptions { Url = new Uri(down.BaseUri, "?ip={ip}").ToString() });
        Assert.Equal(DdnsOutcome.RetryLater, (await UpdateAsync(second, "203.0.113.7")).Outcome);
    }

    [Fact]
    public void Its_description_shows_neither_the_secret_nor_the_urls_path()
    {
        var options = new CustomOptions { Url = "https://dyn.example.net/u/LITERALTOKEN/?ip={ip}", Secret = Secret };

        Assert.Equal("custom GET https://dyn.example.net/…", options.ToString());
    }

    public void Dispose() => _service.Dispose();
}
