using System.Globalization;
using System.Text.Json;

namespace Rebound.Act.Notify.Discord;

/// <summary>
/// Discord: <c>discord://TOKEN@WEBHOOKID</c>, an execute-webhook POST of <c>{content}</c> to
/// <c>https://discord.com/api/webhooks/WEBHOOKID/TOKEN</c> (content at most 2000 characters; 204 on success; 429 with
/// Retry-After and <c>retry_after</c> seconds in the body).
/// </summary>
public sealed class DiscordService : NotifyServiceDefinition
{
    public const int MaxContent = 2000;

    public static readonly Uri Api = new("https://discord.com/api/webhooks/");

    public override string Scheme => "discord";

    public override string Form => "discord://TOKEN@WEBHOOKID[?username=…]";

    public override string Example => "discord://kR3xSxa1b2c3d4e5f6g7h8i9j0@123456789012345678";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = Unknown(url, "username");
        if (problem is not null)
            return null;
        if (url.User is not { Length: > 0 } || url.Password is not null || url.Host.Length == 0 || !url.Host.All(char.IsAsciiDigit) || url.Path.Count > 0)
        {
            problem = "discord://TOKEN@WEBHOOKID (the webhook's token, then its numeric id)";
            return null;
        }

        return new DiscordEndpoint(new Uri(Api, $"{url.Host}/{Uri.EscapeDataString(url.User)}"), url.Param("username"));
    }

    private sealed class DiscordEndpoint(Uri webhook, string? username) : HttpNotifyEndpoint
    {
        public override string Service => "discord";

        public override string Label => "discord (https://discord.com/…)";

        protected override IEnumerable<HttpRequestMessage> Requests(NotifyMessage message)
        {
            var content = $"**{message.Title}**\n{message.Body}";
            if (content.Length > MaxContent)
                content = content[..(MaxContent - 3)] + "...";
            yield return Json(HttpMethod.Post, webhook, json =>
            {
                json.WriteString("content", content);
                if (username is not null)
                    json.WriteString("username", username);
            });
        }

        protected override TimeSpan? RetryAfterInBody(string body) =>
            Property(body, "retry_after") is { ValueKind: JsonValueKind.Number } s ? TimeSpan.FromSeconds(s.GetDouble()) : null;

        protected override string? ErrorCodeIn(string body) =>
            Property(body, "code") is { ValueKind: JsonValueKind.Number } c ? "code " + c.GetInt32().ToString(CultureInfo.InvariantCulture) : null;
    }
}
