using System.Text.RegularExpressions;

namespace Rebound.Act.Notify.Slack;

/// <summary>
/// Slack incoming webhooks: <c>slack://hook:A-B-C@webhook</c> (shoutrrr's form since 0.5) or the older
/// <c>slack://A/B/C</c>, both for <c>https://hooks.slack.com/services/A/B/C</c>; POST <c>{text}</c>. Slack answers 200
/// <c>ok</c>, else a plain-text code (<c>invalid_payload</c>, <c>invalid_token</c>, <c>no_service</c>, <c>channel_is_archived</c>).
/// </summary>
public sealed partial class SlackService : NotifyServiceDefinition
{
    public static readonly Uri Api = new("https://hooks.slack.com/services/");

    public override string Scheme => "slack";

    public override string Form => "slack://hook:T000-B000-XXXX@webhook[?username=…] or slack://T000/B000/XXXX";

    public override string Example => "slack://hook:T00000000-B00000000-XXXXXXXXXXXXXXXXXXXXXXXX@webhook";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = Unknown(url, "username", "botname");
        if (problem is not null)
            return null;
        string[]? parts = null;
        if (url.User == "hook" && url.Password is { } token && string.Equals(url.Host, "webhook", StringComparison.OrdinalIgnoreCase) && url.Path.Count == 0)
            parts = token.Split('-');
        else if (url.Password is null && url.Path.Count == 2)
            parts = [url.Host, .. url.Path];
        if (parts is not { Length: 3 } || parts.Any(p => !TokenPart().IsMatch(p)))
        {
            problem = url.User is { } u && u.StartsWith("xox", StringComparison.Ordinal)
                ? "a Slack incoming-webhook URL, slack://hook:A-B-C@webhook (bot tokens are not supported)"
                : "slack://hook:A-B-C@webhook or slack://A/B/C (the three parts of the webhook's path)";
            return null;
        }

        return new SlackEndpoint(new Uri(Api, string.Join('/', parts)), url.Param("username") ?? url.Param("botname") ?? (url.Password is null ? url.User : null));
    }

    [GeneratedRegex("^[A-Za-z0-9]+$")]
    private static partial Regex TokenPart();

    [GeneratedRegex("^[a-z_]{1,40}$")]
    private static partial Regex ErrorCode();

    private sealed class SlackEndpoint(Uri webhook, string? username) : HttpNotifyEndpoint
    {
        public override string Service => "slack";

        public override string Label => "slack (https://hooks.slack.com/…)";

        protected override IEnumerable<HttpRequestMessage> Requests(NotifyMessage message)
        {
            yield return Json(HttpMethod.Post, webhook, json =>
            {
                json.WriteString("text", $"*{message.Title}*\n{message.Body}");
                if (username is not null)
                    json.WriteString("username", username);
            });
        }

        protected override string? ErrorCodeIn(string body) => ErrorCode().IsMatch(body.Trim()) ? body.Trim() : null;
    }
}
