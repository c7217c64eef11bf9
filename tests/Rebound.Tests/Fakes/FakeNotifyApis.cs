using System.Net;
using System.Text;
using System.Text.Json;

namespace Rebound.Tests.Fakes;

/// <summary>
/// Fakes of the notification APIs, built from each one's documentation and answering as strictly: ntfy
/// (POST /TOPIC, 401 with {"code":40101}, 429 {"code":42901}), Gotify (POST /message with X-Gotify-Key; 401
/// {"error":"Unauthorized"}; 400 without a message), the Telegram Bot API (POST /bot{token}/sendMessage, 401
/// {"ok":false,"error_code":401}, 400 "chat not found", 429 with parameters.retry_after), Discord webhooks (204;
/// 401 {"code":50027}; 400 for empty content or over 2000 characters; 429 with Retry-After and retry_after), Slack
/// incoming webhooks (200 "ok"; 403 invalid_token; 400 invalid_payload; 429 with Retry-After) and a plain webhook.
/// <see cref="RateLimitNext"/> makes the next N requests of a host answer its 429.
/// </summary>
internal sealed class FakeNotifyApis : HttpMessageHandler
{
    public const string NtfyHost = "ntfy.fake.test";
    public const string GotifyHost = "gotify.fake.test";
    public const string WebhookHost = "hooks.fake.test";
    public const string GotifyToken = "AzyoeNS.D4iJLVa";
    public const string TelegramToken = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    public const string DiscordId = "123456789012345678";
    public const string DiscordToken = "kR3xSxa1b2c3d4e5f6g7h8i9j0";
    public const string SlackPath = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _rateLimit = [];

    public List<(HttpMethod Method, Uri Url, Dictionary<string, string> Headers, string Body)> Requests { get; } = [];

    /// <summary>The ntfy user and password the fake accepts; null: the topic is open.</summary>
    public (string User, string Password)? NtfyAuth { get; set; }

    public int RetryAfterSeconds { get; set; } = 7;

    public HttpStatusCode WebhookStatus { get; set; } = HttpStatusCode.OK;

    public void RateLimitNext(string host, int count)
    {
        lock (_gate)
            _rateLimit[host] = count;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var url = request.RequestUri!;
        lock (_gate)
        {
            Requests.Add((request.Method, url, headers, body));
            if (_rateLimit.TryGetValue(url.Host, out var left) && left > 0)
            {
                _rateLimit[url.Host] = left - 1;
                return RateLimited(url.Host);
            }
        }

        if (request.Method != HttpMethod.Post)
            return Answer(HttpStatusCode.MethodNotAllowed, "");
        return url.Host switch
        {
            NtfyHost => Ntfy(url, headers, body),
            GotifyHost => Gotify(url, headers, body),
            "api.telegram.org" => Telegram(url, body),
            "discord.com" => Discord(url, body),
            "hooks.slack.com" => Slack(url, body),
            WebhookHost => Answer(WebhookStatus, ""),
            _ => throw new HttpRequestException(HttpRequestError.NameResolutionError),
        };
    }

    private HttpResponseMessage RateLimited(string host)
    {
        var seconds = RetryAfterSeconds;
        var answer = host switch
        {
            NtfyHost => Answer((HttpStatusCode)429, """{"code":42901,"http":429,"error":"limit reached: too many requests"}"""),
            "api.telegram.org" => Answer((HttpStatusCode)429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after " + seconds + "\",\"parameters\":{\"retry_after\":" + seconds + "}}"),
            "discord.com" => Answer((HttpStatusCode)429, $$"""{"message":"You are being rate limited.","retry_after":{{seconds}}.5,"global":false}"""),
            _ => Answer((HttpStatusCode)429, "rate_limited"),
        };

        // Telegram gives the delay only in its body; the others send Retry-After too.
        if (host != "api.telegram.org")
            answer.Headers.TryAddWithoutValidation("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return answer;
    }

    private HttpResponseMessage Ntfy(Uri url, Dictionary<string, string> headers, string body)
    {
        if (url.AbsolutePath.Trim('/').Split('/').Length != 1 || url.AbsolutePath.Length < 2)
            return Answer(HttpStatusCode.NotFound, """{"code":40401,"http":404,"error":"page not found"}""");
        if (NtfyAuth is { } auth)
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.User}:{auth.Password}"));
            if (!headers.TryGetValue("Authorization", out var given) || given != expected)
                return Answer(HttpStatusCode.Unauthorized, """{"code":40101,"http":401,"error":"unauthorized"}""");
        }

        if (Encoding.UTF8.GetByteCount(body) > 4096)
            return Answer(HttpStatusCode.RequestEntityTooLarge, """{"code":41301,"http":413,"error":"too large"}""");
        return Answer(HttpStatusCode.OK, $$"""{"id":"sPs1","time":1700000000,"event":"message","topic":"{{url.AbsolutePath.Trim('/')}}"}""");
    }

    private static HttpResponseMessage Gotify(Uri url, Dictionary<string, string> headers, string body)
    {
        if (!url.AbsolutePath.EndsWith("/message", StringComparison.Ordinal))
            return Answer(HttpStatusCode.NotFound, "404 page not found");
        var token = headers.GetValueOrDefault("X-Gotify-Key") ?? System.Web.HttpUtility.ParseQueryString(url.Query)["token"];
        if (token != GotifyToken)
            return Answer(HttpStatusCode.Unauthorized, """{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token or user credentials to access this api"}""");
        if (Json(body) is not { } json || !json.TryGetProperty("message", out var m) || m.GetString() is not { Length: > 0 })
            return Answer(HttpStatusCode.BadRequest, """{"error":"Bad Request","errorCode":400,"errorDescription":"Field 'message' is required"}""");
        return Answer(HttpStatusCode.OK, """{"id":25,"appid":5,"message":"x","title":"x","priority":0,"date":"2026-12-02T13:00:00Z"}""");
    }

    private static HttpResponseMessage Telegram(Uri url, string body)
    {
        if (url.AbsolutePath != $"/bot{TelegramToken}/sendMessage")
            return Answer(HttpStatusCode.Unauthorized, """{"ok":false,"error_code":401,"description":"Unauthorized"}""");
        if (Json(body) is not { } json || !json.TryGetProperty("chat_id", out var chat) || !json.TryGetProperty("text", out var text) || text.GetString() is not { Length: > 0 and <= 4096 })
            return Answer(HttpStatusCode.BadRequest, """{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}""");
        if (chat.GetString() is not ("@rebound_home" or "-100123"))
            return Answer(HttpStatusCode.BadRequest, """{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""");
        return Answer(HttpStatusCode.OK, """{"ok":true,"result":{"message_id":42}}""");
    }

    private static HttpResponseMessage Discord(Uri url, string body)
    {
        if (url.AbsolutePath != $"/api/webhooks/{DiscordId}/{DiscordToken}")
            return Answer(HttpStatusCode.Unauthorized, """{"message":"Invalid Webhook Token","code":50027}""");
        if (Json(body) is not { } json || !json.TryGetProperty("content", out var c) || c.GetString() is not { Length: > 0 } content)
            return Answer(HttpStatusCode.BadRequest, """{"message":"Cannot send an empty message","code":50006}""");
        if (content.Length > 2000)
            return Answer(HttpStatusCode.BadRequest, """{"message":"Invalid Form Body","code":50035}""");
        return Answer(HttpStatusCode.NoContent, "");
    }

    private static HttpResponseMessage Slack(Uri url, string body)
    {
        if (url.AbsolutePath != SlackPath)
            return Answer(HttpStatusCode.Forbidden, "invalid_token");
        if (Json(body) is not { } json || !json.TryGetProperty("text", out var t) || t.GetString() is not { Length: > 0 })
            return Answer(HttpStatusCode.BadRequest, "invalid_payload");
        return Answer(HttpStatusCode.OK, "ok");
    }

    private static JsonElement? Json(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static HttpResponseMessage Answer(HttpStatusCode code, string body) =>
        new(code) { Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "text/plain") };
}
