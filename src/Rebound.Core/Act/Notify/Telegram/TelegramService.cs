using System.Text.Json;

namespace Rebound.Act.Notify.Telegram;

/// <summary>
/// Telegram: <c>telegram://TOKEN@telegram?chats=@channel,123456</c> (TOKEN is the bot's <c>id:secret</c>), one Bot API
/// <c>sendMessage</c> per chat. The Bot API answers <c>{"ok": false, "error_code", "description", "parameters":
/// {"retry_after"}}</c> on errors, 429 included.
/// </summary>
public sealed class TelegramService : NotifyServiceDefinition
{
    public static readonly Uri Api = new("https://api.telegram.org/");

    public override string Scheme => "telegram";

    public override string Form => "telegram://BOTID:TOKEN@telegram?chats=@channel,CHATID[&notification=no&preview=no]";

    public override string Example => "telegram://110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@rebound_home";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = Unknown(url, "chats", "channels", "notification", "preview");
        if (problem is not null)
            return null;
        if (!string.Equals(url.Host, "telegram", StringComparison.OrdinalIgnoreCase) || url.User is not { Length: > 0 } || url.Password is not { Length: > 0 })
        {
            problem = "telegram://BOTID:TOKEN@telegram (the bot token before @telegram)";
            return null;
        }

        var chats = (url.Param("chats") ?? url.Param("channels") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (chats.Length == 0)
        {
            problem = "telegram:// chats=@channel or chat ids (missing)";
            return null;
        }

        bool? notification = YesNo(url.Param("notification")), preview = YesNo(url.Param("preview"));
        if ((url.Param("notification") is not null && notification is null) || (url.Param("preview") is not null && preview is null))
        {
            problem = "telegram:// notification and preview as yes or no";
            return null;
        }

        return new TelegramEndpoint($"{url.User}:{url.Password}", chats, notification ?? true, preview ?? true);
    }

    private sealed class TelegramEndpoint(string token, IReadOnlyList<string> chats, bool notification, bool preview) : HttpNotifyEndpoint
    {
        public override string Service => "telegram";

        public override string Label => "telegram (https://api.telegram.org/…)";

        protected override IEnumerable<HttpRequestMessage> Requests(NotifyMessage message)
        {
            // "./": a first segment holding a colon (the token does) would otherwise read as a scheme.
            var url = new Uri(Api, $"./bot{token}/sendMessage");
            foreach (var chat in chats)
            {
                yield return Json(HttpMethod.Post, url, json =>
                {
                    json.WriteString("chat_id", chat);
                    json.WriteString("text", $"{message.Title}\n{message.Body}");
                    json.WriteBoolean("disable_notification", !notification);
                    json.WriteBoolean("disable_web_page_preview", !preview);
                });
            }
        }

        protected override string? FailureIn2xx(string body) =>
            Property(body, "ok") is { ValueKind: JsonValueKind.True } ? null : "answered without \"ok\": true";

        protected override TimeSpan? RetryAfterInBody(string body) =>
            Property(body, "parameters", "retry_after") is { ValueKind: JsonValueKind.Number } s && s.TryGetInt32(out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

        // Telegram's descriptions quote nothing of the request, but the code alone is enough and certainly safe.
        protected override string? ErrorCodeIn(string body) =>
            Property(body, "error_code") is { ValueKind: JsonValueKind.Number } c ? $"error_code {c.GetInt32()}" : null;
    }
}
