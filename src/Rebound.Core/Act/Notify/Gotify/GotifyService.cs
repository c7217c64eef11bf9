namespace Rebound.Act.Notify.Gotify;

/// <summary>
/// Gotify: <c>gotify://host[:port][/path]/token</c>, POST <c>{title, message, priority}</c> to
/// <c>https://host/path/message</c> with the application token in <c>X-Gotify-Key</c> (so it is in no URL a
/// proxy logs); <c>disabletls=yes</c> for a plain server.
/// </summary>
public sealed class GotifyService : NotifyServiceDefinition
{
    public override string Scheme => "gotify";

    public override string Form => "gotify://host[:port][/path]/token[?priority=5&title=…&disabletls=yes]";

    public override string Example => "gotify://gotify.example.net/AzyoeNS.D4iJLVa";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = Unknown(url, "priority", "title", "disabletls");
        if (problem is not null)
            return null;
        if (url.Host.Length == 0 || url.Path.Count == 0)
        {
            problem = "gotify://host[:port][/path]/token (the application token last)";
            return null;
        }

        int priority = 0;
        if (url.Param("priority") is { } p && !int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out priority))
        {
            problem = "gotify:// priority as a number (0 to 10)";
            return null;
        }

        if (url.Param("disabletls") is { } d && YesNo(d) is null)
        {
            problem = "gotify:// disabletls=yes or no";
            return null;
        }

        var scheme = YesNo(url.Param("disabletls")) == true ? "http" : "https";
        var prefix = string.Concat(url.Path.Take(url.Path.Count - 1).Select(s => Uri.EscapeDataString(s) + "/"));
        var server = new UriBuilder(scheme, url.Host, url.Port ?? -1).Uri;
        return new GotifyEndpoint(server, new Uri(server, prefix + "message"), url.Path[^1], priority, url.Param("title"));
    }

    private sealed class GotifyEndpoint(Uri server, Uri messages, string token, int priority, string? title) : HttpNotifyEndpoint
    {
        public override string Service => "gotify";

        public override string Label => $"gotify ({server.GetLeftPart(UriPartial.Authority)}/…)";

        protected override IEnumerable<HttpRequestMessage> Requests(NotifyMessage message)
        {
            var request = Json(HttpMethod.Post, messages, json =>
            {
                json.WriteString("title", title ?? message.Title);
                json.WriteString("message", message.Body);
                json.WriteNumber("priority", priority);
            });
            request.Headers.TryAddWithoutValidation("X-Gotify-Key", token);
            yield return request;
        }

        protected override string? ErrorCodeIn(string body) =>
            Property(body, "error") is { ValueKind: System.Text.Json.JsonValueKind.String } e && e.GetString() is { Length: <= 40 } text ? text : null;
    }
}
