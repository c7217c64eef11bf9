using Rebound.Act.Ddns;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns.Http;
using Rebound.Act.Ddns.Providers.Dyndns2;

namespace Rebound.Tests.Act.Ddns.Http;

public sealed class Dyndns2ProviderAgainstFakeTests : IDisposable
{
    private const string User = "rebound-user";
    private const string Password = "s3cret-Pa55word!";
    private const string Host = "home.example.com";

    private readonly FakeDyndns2Server _server = new(User, Password, Host);
    private readonly List<object> _seen = [];

    private Dyndns2Provider Provider(string password = Password, TimeProvider? time = null, TimeSpan? serverTrouble = null) =>
        new(new Dyndns2Options
        {
            BaseUri = _server.BaseUri,
            Username = User,
            Password = password,
            ServerTroubleRetry = serverTrouble ?? TimeSpan.FromMinutes(30),
        }, timeProvider: time);

    private async Task<DdnsUpdateResult> UpdateAsync(string address, string host = Host, Dyndns2Provider? provider = null)
    {
        using var owned = provider is null ? Provider() : null;
        var result = await (provider ?? owned!).UpdateAsync(new DdnsRecordUpdate(host, IPAddress.Parse(address)), DdnsAssert.Ct);
        _seen.Add(result);
        DdnsAssert.OneLine(result);
        return result;
    }

    [Fact]
    public async Task Good_update_sends_the_documented_request_with_an_explicit_myip()
    {
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/nic/update", request.Path);
        Assert.Equal([new("hostname", Host), new("myip", "203.0.113.7")], request.Query);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")), request.Header("Authorization"));
        Assert.Equal(DdnsHttpConstants.UserAgent, request.Header("User-Agent"));
        Assert.Equal("203.0.113.7", _server.Hosts[Host]);
    }

    [Fact]
    public async Task Ipv6_address_goes_in_myip_too()
    {
        var result = await UpdateAsync("2001:db8::7");

        Assert.Equal(DdnsOutcome.Updated, result.Outcome);
        Assert.Equal("2001:db8::7", _server.Requests[0].QueryValue("myip"));
    }

    [Fact]
    public async Task Nochg_is_unchanged()
    {
        await UpdateAsync("203.0.113.7");
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Unchanged, result.Outcome);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Wrong_password_is_fatal_badauth()
    {
        using var provider = Provider(password: "wrong-password-value");
        var result = await UpdateAsync("203.0.113.7", provider: provider);

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("badauth", result.Message, StringComparison.Ordinal);
        DdnsAssert.NoSecret("wrong-password-value", result);
    }

    [Fact]
    public async Task Unknown_host_is_fatal_nohost()
    {
        var result = await UpdateAsync("203.0.113.7", host: "other.example.com");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains("does not exist", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("badauth", "username or password")]
    [InlineData("!donator", "feature")]
    [InlineData("notfqdn", "fully qualified")]
    [InlineData("nohost", "does not exist")]
    [InlineData("numhost", "too many hosts")]
    [InlineData("abuse", "abuse")]
    [InlineData("badagent", "rejected this client")]
    public async Task Fatal_return_codes_say_what_they_mean(string code, string meaning)
    {
        _server.ScriptBody(code + "\n");
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
        Assert.Contains(meaning, result.Message, StringComparison.Ordinal);
        Assert.Contains($"({code})", result.Message, StringComparison.Ordinal);
        Assert.Contains(Host, result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dnserr")]
    [InlineData("911")]
    public async Task Server_trouble_backs_off_at_least_thirty_minutes(string code)
    {
        _server.ScriptBody(code);
        using var eager = Provider(serverTrouble: TimeSpan.FromMinutes(1));
        var result = await UpdateAsync("203.0.113.7", provider: eager);

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromMinutes(30), result.RetryAfter);
    }

    [Theory]
    [InlineData("w90s", 90)]
    [InlineData("w5m", 300)]
    [InlineData("w1h", 3600)]
    public async Task Wait_answers_are_honoured(string code, int seconds)
    {
        _server.ScriptBody(code);
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.RetryAfter);
    }

    [Theory]
    [InlineData("goodish 1.2.3.4", "goodish")]
    [InlineData("GOOD 203.0.113.7", "GOOD")]
    [InlineData("w5x", "w5x")]
    [InlineData("<html><body>Maintenance</body></html>", "<html><body>Maintenance</body></html>")]
    public async Task Unknown_answers_retry_with_the_raw_token(string body, string shown)
    {
        _server.ScriptBody(body);
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains($"'{shown}'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_answer_is_truncated_and_stripped_of_control_characters()
    {
        _server.ScriptBody(new string('x', 500) + "\u001b[31m");
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.True(result.Message.Length < 120, result.Message);
        Assert.DoesNotContain('\u001b', result.Message);
    }

    [Fact]
    public async Task Good_127_0_0_1_means_the_update_was_ignored()
    {
        _server.ScriptBody("good 127.0.0.1");
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
    }

    [Fact]
    public async Task Http_429_honours_retry_after()
    {
        _server.Script(FakeResponse.Text("slow down", 429) with { Headers = new Dictionary<string, string> { ["Retry-After"] = "120" } });
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
    }

    [Fact]
    public async Task Http_5xx_retries_later()
    {
        _server.Script(FakeResponse.Text("oops", 503));
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains("503", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bare_401_is_fatal()
    {
        _server.Script(FakeResponse.Text("", 401));
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.Fatal, result.Outcome);
    }

    [Fact]
    public async Task A_body_echoing_the_password_is_redacted()
    {
        _server.ScriptBody(Password + " " + Password);
        var result = await UpdateAsync("203.0.113.7");

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains("***", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_refused_is_retry_later_not_an_exception()
    {
        using var provider = Provider();
        _server.Dispose();
        var result = await UpdateAsync("203.0.113.7", provider: provider);

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains("network error", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_answer_times_out_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        using var provider = Provider(time: time);
        _server.Http.Hang = true;

        var pending = provider.UpdateAsync(new DdnsRecordUpdate(Host, IPAddress.Parse("203.0.113.7")), DdnsAssert.Ct);
        await _server.Http.HungRequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), DdnsAssert.Ct);
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10), DdnsAssert.Ct);
        _seen.Add(result);

        Assert.Equal(DdnsOutcome.RetryLater, result.Outcome);
        Assert.Contains("no answer within 10s", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_throws()
    {
        using var provider = Provider();
        _server.Http.Hang = true;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(DdnsAssert.Ct);

        var pending = provider.UpdateAsync(new DdnsRecordUpdate(Host, IPAddress.Parse("203.0.113.7")), cts.Token);
        await _server.Http.HungRequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10), DdnsAssert.Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public void Options_never_show_the_password()
    {
        var options = new Dyndns2Options { BaseUri = _server.BaseUri, Username = User, Password = Password };
        DdnsAssert.NoSecret(Password, options);
        Assert.Contains(User, options.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        // Every result any test produced is checked for the password.
        DdnsAssert.NoSecret(Password, [.. _seen]);
        _server.Dispose();
    }
}
