using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Rebound.Configuration;

namespace Rebound.Act.Ddns.Http;

/// <summary>
/// Sends one provider request with the agent's User-Agent and a timeout on the injected clock, and turns
/// every transport failure into a <see cref="DdnsHttpReply.Failure"/> instead of an exception.
/// </summary>
internal sealed class DdnsHttpSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public DdnsHttpSender(HttpClient? client, TimeSpan timeout, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(timeout));
        _timeout = timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _ownsClient = client is null;
        _client = client ?? CreateClient();
    }

    /// <summary>
    /// No connection reuse: after a WAN failover a pooled connection is still bound to the dead uplink's
    /// source address and would hang until the timeout. No redirects: a redirect would carry our
    /// credentials somewhere we were not configured to send them.
    /// </summary>
    private static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        // The timeout runs on the TimeProvider instead, so tests can drive it.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<DdnsHttpReply> SendAsync(HttpRequestMessage request, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", DdnsHttpConstants.UserAgent);
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await ReadBodyAsync(response.Content, linked.Token);
            return new DdnsHttpReply(response.StatusCode, body, RetryAfterOf(response.Headers.RetryAfter), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Our timeout, or the timeout of an HttpClient the caller handed us.
            return Failed($"no answer within {ConfigDuration.Format(_timeout, roundUpToSeconds: true)}");
        }
        catch (HttpRequestException ex)
        {
            return Failed($"network error ({ex.HttpRequestError}): {DdnsText.Sanitise(ex.Message, secrets)}");
        }
        catch (IOException ex)
        {
            return Failed($"connection failed while reading the answer: {DdnsText.Sanitise(ex.Message, secrets)}");
        }
    }

    private static DdnsHttpReply Failed(string reason) => new(null, "", null, reason);

    private TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - _timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private static async Task<string> ReadBodyAsync(HttpContent content, CancellationToken token)
    {
        await using var stream = await content.ReadAsStreamAsync(token);
        var buffer = new byte[DdnsHttpConstants.MaxBodyBytes];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total), token);
            if (read == 0)
                break;
            total += read;
        }
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    public void Dispose()
    {
        if (_ownsClient)
            _client.Dispose();
    }
}
