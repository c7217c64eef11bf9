using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Notify;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Act.Notify;

/// <summary>Each HTTP service's endpoint against <see cref="FakeNotifyApis"/>: delivered, refused (no token in the error), rate limited.</summary>
public sealed class NotifyServicesAgainstFakeTests : IDisposable
{
    private static readonly NotifyMessage Message = new("rebound@gw: upstream-lost", "upstream-lost ipv4 after 3 rounds");
    private readonly FakeNotifyApis _fake = new();
    private readonly HttpClient _http;
    private readonly NotifyContext _context;

    public NotifyServicesAgainstFakeTests()
    {
        _http = new HttpClient(_fake, disposeHandler: false);
        _context = new NotifyContext(_http, new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.Zero)));
    }

    public void Dispose()
    {
        _http.Dispose();
        _fake.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> Good() => new()
    {
        { $"ntfy://{FakeNotifyApis.NtfyHost}/rebound-home?priority=high&tags=warning", FakeNotifyApis.NtfyHost, "" },
        { $"gotify://{FakeNotifyApis.GotifyHost}/{FakeNotifyApis.GotifyToken}?priority=5", FakeNotifyApis.GotifyHost, FakeNotifyApis.GotifyToken },
        { $"telegram://{FakeNotifyApis.TelegramToken}@telegram?chats=@rebound_home,-100123", "api.telegram.org", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" },
        { $"discord://{FakeNotifyApis.DiscordToken}@{FakeNotifyApis.DiscordId}", "discord.com", FakeNotifyApis.DiscordToken },
        { "slack://hook:T00000000-B00000000-XXXXXXXXXXXXXXXXXXXXXXXX@webhook", "hooks.slack.com", "XXXXXXXXXXXXXXXXXXXXXXXX" },
        { "slack://T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "hooks.slack.com", "XXXXXXXXXXXXXXXXXXXXXXXX" },
        { $"generic+https://{FakeNotifyApis.WebhookHost}/rebound?key=s3cretkey", FakeNotifyApis.WebhookHost, "s3cretkey" },
    };

    [Theory]
    [MemberData(nameof(Good))]
    public async Task A_message_is_delivered_as_the_api_documents_and_the_label_holds_no_secret(string url, string host, string secret)
    {
        var endpoint = Assert.IsAssignableFrom<NotifyEndpoint>(NotifyServices.Parse(url, out var problem));
        Assert.Null(problem);

        await endpoint.SendAsync(Message, _context, Ct);

        Assert.NotEmpty(_fake.Requests);
        Assert.All(_fake.Requests, r => Assert.Equal(host, r.Url.Host));
        Assert.All(_fake.Requests, r => Assert.Contains("upstream-lost ipv4 after 3 rounds", r.Body, StringComparison.Ordinal));
        if (secret.Length > 0)
            Assert.DoesNotContain(secret, endpoint.Label, StringComparison.Ordinal);
        if (url.StartsWith("telegram", StringComparison.Ordinal))
            Assert.Equal(2, _fake.Requests.Count); // one sendMessage per chat
    }

    [Fact]
    public async Task Ntfy_sends_title_priority_tags_as_headers_and_basic_auth_from_the_url()
    {
        _fake.NtfyAuth = ("phil", "s3cret-pass");
        var endpoint = NotifyServices.Parse($"ntfy://phil:s3cret-pass@{FakeNotifyApis.NtfyHost}/rebound-home?priority=high&tags=warning", out _)!;

        await endpoint.SendAsync(Message, _context, Ct);

        var request = Assert.Single(_fake.Requests);
        Assert.Equal($"https://{FakeNotifyApis.NtfyHost}/rebound-home", request.Url.ToString());
        Assert.Equal("rebound@gw: upstream-lost", request.Headers["Title"]);
        Assert.Equal("high", request.Headers["Priority"]);
        Assert.Equal("warning", request.Headers["Tags"]);
        Assert.Equal(Message.Body, request.Body);
    }

    public static TheoryData<string, string, string> Refused() => new()
    {
        { $"ntfy://phil:wrong-pass@{FakeNotifyApis.NtfyHost}/rebound-home", "answered HTTP 401 (ntfy code 40101)", "wrong-pass" },
        { $"gotify://{FakeNotifyApis.GotifyHost}/WrongToken123", "answered HTTP 401 (Unauthorized)", "WrongToken123" },
        { "telegram://999:WRONGWRONGWRONG@telegram?chats=@rebound_home", "answered HTTP 401 (error_code 401)", "WRONGWRONGWRONG" },
        { $"telegram://{FakeNotifyApis.TelegramToken}@telegram?chats=@nobody", "answered HTTP 400 (error_code 400)", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" },
        { $"discord://wrongtoken42@{FakeNotifyApis.DiscordId}", "answered HTTP 401 (code 50027)", "wrongtoken42" },
        { "slack://hook:T00000000-B00000000-WRONGWRONG@webhook", "answered HTTP 403 (invalid_token)", "WRONGWRONG" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_refusal_is_permanent_and_its_error_is_the_status_without_the_token(string url, string error, string secret)
    {
        _fake.NtfyAuth = ("phil", "s3cret-pass");
        var endpoint = NotifyServices.Parse(url, out _)!;

        var ex = await Assert.ThrowsAsync<NotifyException>(() => endpoint.SendAsync(Message, _context, Ct));

        Assert.Equal(error, ex.Message);
        Assert.False(ex.Transient);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ntfy://" + FakeNotifyApis.NtfyHost + "/t", FakeNotifyApis.NtfyHost, 7.0)]
    [InlineData("telegram://" + FakeNotifyApis.TelegramToken + "@telegram?chats=@rebound_home", "api.telegram.org", 7.0)] // body only
    [InlineData("discord://" + FakeNotifyApis.DiscordToken + "@" + FakeNotifyApis.DiscordId, "discord.com", 7.0)]
    [InlineData("slack://T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "hooks.slack.com", 7.0)]
    public async Task A_429_is_transient_with_the_delay_the_service_asks_for(string url, string host, double seconds)
    {
        _fake.RateLimitNext(host, 1);
        var endpoint = NotifyServices.Parse(url, out _)!;

        var ex = await Assert.ThrowsAsync<NotifyException>(() => endpoint.SendAsync(Message, _context, Ct));

        Assert.True(ex.Transient);
        Assert.Equal(429, ex.Status);
        Assert.Equal(TimeSpan.FromSeconds(seconds), ex.RetryAfter);
        await endpoint.SendAsync(Message, _context, Ct); // the next try is answered
    }

    [Fact]
    public async Task A_5xx_or_no_answer_is_transient()
    {
        _fake.WebhookStatus = System.Net.HttpStatusCode.BadGateway;
        var webhook = NotifyServices.Parse($"generic+https://{FakeNotifyApis.WebhookHost}/x", out _)!;
        var ex = await Assert.ThrowsAsync<NotifyException>(() => webhook.SendAsync(Message, _context, Ct));
        Assert.Equal(("answered HTTP 502", true), (ex.Message, ex.Transient));

        var nowhere = NotifyServices.Parse("generic+https://nowhere.fake.test/tok3n", out _)!;
        ex = await Assert.ThrowsAsync<NotifyException>(() => nowhere.SendAsync(Message, _context, Ct));
        Assert.Equal(("request failed (NameResolutionError)", true), (ex.Message, ex.Transient));
    }

    [Fact]
    public async Task Discord_content_is_cut_to_its_2000_character_limit()
    {
        var endpoint = NotifyServices.Parse($"discord://{FakeNotifyApis.DiscordToken}@{FakeNotifyApis.DiscordId}", out _)!;

        await endpoint.SendAsync(Message with { Body = new string('x', 5000) }, _context, Ct); // the fake refuses more than 2000
    }
}
