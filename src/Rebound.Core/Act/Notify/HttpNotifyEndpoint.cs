using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Rebound.Act.Notify;

/// <summary>
/// A service reached over HTTPS. Subclasses write only their requests and, where the API answers 200 with an error
/// inside, how to read it; no answer, 429 (Retry-After), 5xx and other errors are handled here, and the error text
/// is the status only (an answer body may echo what was sent).
/// </summary>
public abstract class HttpNotifyEndpoint : NotifyEndpoint
{
    /// <summary>Longest Retry-After honoured; a service asking for more is asked again then.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>The requests that deliver the message (Telegram: one per chat).</summary>
    protected abstract IEnumerable<HttpRequestMessage> Requests(NotifyMessage message);

    /// <summary>A 2xx answer that still means failure (Telegram's <c>"ok": false</c>), as an error text; null: delivered.</summary>
    protected virtual string? FailureIn2xx(string body) => null;

    /// <summary>A delay the service gives in its body rather than in Retry-After (Discord, Telegram).</summary>
    protected virtual TimeSpan? RetryAfterInBody(string body) => null;

    /// <summary>A short, safe error code from an error answer (Slack's <c>invalid_token</c>); null: none.</summary>
    protected virtual string? ErrorCodeIn(string body) => null;

    public override async Task SendAsync(NotifyMessage message, NotifyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var request in Requests(message))
        {
            using (request)
            {
                request.Headers.UserAgent.ParseAdd("rebound-notify/1");
                await SendOneAsync(request, context, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SendOneAsync(HttpRequestMessage request, NotifyContext context, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await context.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            // Never the exception's text: it may quote the URL, which holds the token for some services.
            throw new NotifyException($"request failed ({ex.HttpRequestError})", transient: true);
        }

        using (response)
        {
            var code = (int)response.StatusCode;
            var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (code is >= 200 and < 300)
            {
                if (FailureIn2xx(body) is { } failure)
                    throw new NotifyException(failure, transient: false, status: code);
                return;
            }

            var detail = ErrorCodeIn(body) is { } error ? $" ({error})" : "";
            if (code == 429)
            {
                var after = RetryAfterOf(response.Headers.RetryAfter, context.Time) ?? RetryAfterInBody(body);
                throw new NotifyException($"rate limited (HTTP 429){detail}", transient: true, after is { } a ? Clamp(a) : null, code);
            }

            throw new NotifyException($"answered HTTP {code}{detail}", transient: code >= 500, status: code);
        }
    }

    protected static HttpRequestMessage Json(HttpMethod method, Uri url, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return new HttpRequestMessage(method, url)
        {
            Content = new ByteArrayContent(buffer.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
    }

    protected static string Basic(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>Reads a JSON body's property, or null for anything unexpected.</summary>
    protected static JsonElement? Property(string body, params string[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var e = doc.RootElement;
            foreach (var name in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e))
                    return null;
            }

            return e.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 16 * 1024));
    }

    private static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, TimeProvider time) =>
        header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);

    private static TimeSpan Clamp(TimeSpan after) =>
        after < TimeSpan.Zero ? TimeSpan.Zero : after > MaxRetryAfter ? MaxRetryAfter : after;
}
