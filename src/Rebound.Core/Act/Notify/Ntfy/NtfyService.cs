using System.Net.Http.Headers;
using System.Text;

namespace Rebound.Act.Notify.Ntfy;

/// <summary>
/// ntfy: <c>ntfy://[user:password@]host[:port]/topic</c>, POST of the message text to <c>https://host/topic</c> with
/// <c>Title</c>, <c>Priority</c> and <c>Tags</c> headers (ntfy's publish API); <c>scheme=http</c> for a plain server.
/// </summary>
public sealed class NtfyService : NotifyServiceDefinition
{
    public override string Scheme => "ntfy";

    public override string Form => "ntfy://[user:password@]host[:port]/topic[?priority=high&tags=warning&scheme=http]";

    public override string Example => "ntfy://ntfy.sh/rebound-home";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = Unknown(url, "priority", "tags", "scheme", "title");
        if (problem is not null)
            return null;
        if (url.Host.Length == 0 || url.Path.Count != 1)
        {
            problem = "ntfy://[user:password@]host[:port]/topic (one topic after the host)";
            return null;
        }

        var scheme = (url.Param("scheme") ?? "https").ToLowerInvariant();
        if (scheme is not ("https" or "http"))
        {
            problem = "ntfy:// scheme=https or scheme=http";
            return null;
        }

        var priority = url.Param("priority");
        if (priority is not null && priority.ToLowerInvariant() is not ("1" or "2" or "3" or "4" or "5" or "min" or "low" or "default" or "high" or "max" or "urgent"))
        {
            problem = "ntfy:// priority from 1 to 5, or min, low, default, high, max, urgent";
            return null;
        }

        var baseUrl = new UriBuilder(scheme, url.Host, url.Port ?? -1).Uri;
        var topic = new Uri(baseUrl, Uri.EscapeDataString(url.Path[0]));
        return new NtfyEndpoint(baseUrl, topic, url.User, url.Password, priority, url.Param("tags"), url.Param("title"));
    }

    private sealed class NtfyEndpoint(Uri server, Uri topic, string? user, string? password, string? priority, string? tags, string? title) : HttpNotifyEndpoint
    {
        public override string Service => "ntfy";

        public override string Label => $"ntfy ({server.GetLeftPart(UriPartial.Authority)}/…)";

        protected override IEnumerable<HttpRequestMessage> Requests(NotifyMessage message)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, topic)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(message.Body)) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" } } },
            };

            // Header values must be ASCII; ntfy reads RFC 2047 encoded words in its Title header.
            request.Headers.TryAddWithoutValidation("Title", Ascii(title ?? message.Title));
            if (priority is not null)
                request.Headers.TryAddWithoutValidation("Priority", priority);
            if (tags is not null)
                request.Headers.TryAddWithoutValidation("Tags", tags);
            if (user is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Basic(user, password ?? ""));
            yield return request;
        }

        protected override string? ErrorCodeIn(string body) =>
            Property(body, "code") is { ValueKind: System.Text.Json.JsonValueKind.Number } code ? $"ntfy code {code.GetInt32()}" : null;

        private static string Ascii(string text) =>
            text.All(c => c is >= ' ' and <= '~') ? text : $"=?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(text))}?=";
    }
}
