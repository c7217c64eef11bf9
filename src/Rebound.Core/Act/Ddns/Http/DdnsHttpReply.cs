using System.Net;

namespace Rebound.Act.Ddns.Http;

/// <summary>What came back from one request: either a response, or why none arrived.</summary>
/// <param name="Status">The HTTP status, or null when no response arrived.</param>
/// <param name="Body">The body (capped), decoded as UTF-8; empty when none.</param>
/// <param name="RetryAfter">The Retry-After header as a delay from now, when present.</param>
/// <param name="Failure">Sanitised reason no response arrived (timeout, refused, reset); null when one did.</param>
internal sealed record DdnsHttpReply(HttpStatusCode? Status, string Body, TimeSpan? RetryAfter, string? Failure)
{
    public int Code => Status is { } s ? (int)s : 0;

    public bool IsSuccessStatus => Code is >= 200 and <= 299;
}
