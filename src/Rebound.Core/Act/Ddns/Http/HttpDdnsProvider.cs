namespace Rebound.Act.Ddns.Http;

/// <summary>
/// What every HTTP provider shares: the sender (fresh connection, no redirects, timeout on the clock), the secrets to
/// redact, and the outcome of every answer that is not the API's own: no answer, 429, 5xx and 3xx. A provider adds
/// only its request and how its API answers.
/// </summary>
/// <typeparam name="TOptions">The provider's options: endpoint and credentials on top of <see cref="DdnsHttpOptions"/>.</typeparam>
public abstract class HttpDdnsProvider<TOptions> : IDdnsProvider, IDisposable
    where TOptions : DdnsHttpOptions
{
    private readonly DdnsHttpSender _sender;

    private protected HttpDdnsProvider(TOptions options, HttpClient? httpClient, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Time = timeProvider ?? TimeProvider.System;
        Secrets = [.. options.Secrets];
        _sender = new DdnsHttpSender(httpClient, options.Timeout, Time);
    }

    private protected TOptions Options { get; }

    private protected TimeProvider Time { get; }

    /// <summary>Redacted from every message.</summary>
    private protected IReadOnlyList<string> Secrets { get; }

    public async Task<DdnsUpdateResult> UpdateAsync(DdnsRecordUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        update.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return await UpdateRecordAsync(update, cancellationToken);
    }

    /// <summary>Sends <paramref name="update"/> (validated) and maps the answer; never throws but for cancellation.</summary>
    private protected abstract Task<DdnsUpdateResult> UpdateRecordAsync(DdnsRecordUpdate update, CancellationToken cancellationToken);

    private protected Task<DdnsHttpReply> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _sender.SendAsync(request, Secrets, cancellationToken);

    /// <summary>
    /// The outcome of a reply the API's own answer does not decide, or null when the provider should read it: no
    /// answer and 5xx retry later (after Retry-After when given), 429 waits Retry-After or the provider's rate-limit
    /// wait, and 3xx is fatal (following a redirect would carry the credentials elsewhere).
    /// </summary>
    /// <param name="what">How the message starts: the record name, maybe with the step.</param>
    /// <param name="detail">Appended to 429 and 5xx messages (the API's own error text).</param>
    private protected DdnsUpdateResult? CommonOutcome(DdnsHttpReply reply, string what, string detail = "")
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Failure is { } failure)
            return RetryLater(Options.TransientRetry, $"{what}: {failure}");
        if (reply.Code == 429)
            return RetryLater(reply.RetryAfter ?? Options.RateLimitWait, $"{what}: rate limited (HTTP 429){detail}");
        if (reply.Code >= 500)
            return RetryLater(reply.RetryAfter ?? Options.TransientRetry, $"{what}: server error (HTTP {reply.Code}){detail}");
        if (reply.Code is >= 300 and < 400)
            return DdnsUpdateResult.Fatal($"{what}: server redirected (HTTP {reply.Code}); check the base URL");
        return null;
    }

    /// <summary>Retry later, never sooner than the provider allows.</summary>
    private protected DdnsUpdateResult RetryLater(TimeSpan wait, string message) =>
        DdnsUpdateResult.RetryLater(wait < Options.MinimumWait ? Options.MinimumWait : wait, message);

    /// <summary>An answer we did not expect: retry after the transient wait, quoting (sanitised) what came back.</summary>
    private protected DdnsUpdateResult Unexpected(string what, string answer, DdnsHttpReply reply) =>
        RetryLater(Options.TransientRetry, $"{what}: unexpected answer '{Sanitise(answer, 40)}' (HTTP {reply.Code})");

    /// <summary>Provider text made safe for a message: secrets redacted, one line, capped.</summary>
    private protected string Sanitise(string text, int maxLength) => DdnsText.Sanitise(text, Secrets, maxLength);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _sender.Dispose();
    }
}
