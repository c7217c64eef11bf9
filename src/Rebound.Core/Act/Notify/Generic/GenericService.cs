namespace Rebound.Act.Notify.Generic;

/// <summary>
/// Any webhook: <c>generic+https://host/path?query</c> (shoutrrr's shortcut: the target URL with <c>generic+</c> in
/// front; the query goes to the target as it is). POST <c>{"title", "message"}</c> as JSON; any 2xx is delivered.
/// <c>user:password@</c> becomes basic authentication.
/// </summary>
public sealed class GenericService : NotifyServiceDefinition
{
    private readonly string _target;

    public GenericService(string target = "https") => _target = target;

    public override string Scheme => "generic+" + _target;

    public override string Form => $"generic+{_target}://[user:password@]host[:port]/path[?query]";

    public override string Example => $"generic+{_target}://hooks.example.net/rebound?key=s3cret";

    public override NotifyEndpoint? Parse(NotifyUrl url, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        problem = null;
        if (url.Host.Length == 0)
        {
            problem = $"generic+{_target}://host/path (no host)";
            return null;
        }

        var builder = new UriBuilder(_target, url.Host, url.Port ?? -1, string.Join('/', url.Path.Select(Uri.EscapeDataString)))
        {
            Query = string.Join('&', url.Query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")),
        };
        return new GenericEndpoint(builder.Uri, url.User, url.Password);
    }

    private sealed class GenericEndpoint(Uri target, string? user, string? password) : HttpNotifyEndpoint
    {
        public override string Service => "generic";

        public override string Label => $"generic ({target.GetLeftPart(UriPartial.Authority)}/…)";

        protected override IEnumerable<HttpRequestMessage> Requests(NotifyMessage message)
        {
            var request = Json(HttpMethod.Post, target, json =>
            {
                json.WriteString("title", message.Title);
                json.WriteString("message", message.Body);
            });
            if (user is not null)
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Basic(user, password ?? ""));
            yield return request;
        }
    }
}
