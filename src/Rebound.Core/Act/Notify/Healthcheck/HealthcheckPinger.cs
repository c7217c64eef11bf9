using System.Threading.Channels;
using Rebound.Configuration;
using Rebound.Record;

namespace Rebound.Act.Notify.Healthcheck;

/// <summary>
/// A dead man's switch for Healthchecks.io and compatible services. Every interval, if the watcher made progress
/// since the last tick (<see cref="OnProgress"/>: a probe round finished), it GETs the ping URL, or the URL with
/// <c>/fail</c> appended while the upstream is lost or a heal target's last heal failed. A change of that state is
/// pinged at once (fail on <c>upstream-lost</c> / <c>heal-failed</c>, success again on <c>upstream-restored</c> /
/// <c>heal-verified</c> of every failed target). A stalled watcher sends nothing, so the service raises the alarm
/// after its grace time. A failed ping becomes <see cref="NotifyFailed"/>; the next tick tries again.
/// </summary>
public sealed class HealthcheckPinger : IEventSink, IDisposable
{
    private readonly HealthcheckConfig _config;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Channel<bool> _signals = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true }); // true: state changed
    private readonly Channel<NotifyFailed> _events = Channel.CreateUnbounded<NotifyFailed>();
    private readonly Lock _gate = new();
    private readonly HashSet<string> _failedTargets = [];
    private bool _upstreamLost;
    private int _progress;

    public HealthcheckPinger(HealthcheckConfig config, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _time = time ?? TimeProvider.System;
        _ownsHttp = handler is null;
        _http = handler is not null ? new HttpClient(handler, disposeHandler: false) : new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public ChannelReader<NotifyFailed> Events => _events.Reader;

    /// <summary>Whether the next ping says failure.</summary>
    public bool Failing
    {
        get
        {
            lock (_gate)
                return _upstreamLost || _failedTargets.Count > 0;
        }
    }

    /// <summary>The watcher finished a probe round: the next tick may ping.</summary>
    public void OnProgress() => Volatile.Write(ref _progress, 1);

    public void OnEvent(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        bool before, after;
        lock (_gate)
        {
            before = _upstreamLost || _failedTargets.Count > 0;
            switch (recorded.Kind)
            {
                case "upstream-lost":
                    _upstreamLost = true;
                    break;
                case "upstream-restored":
                    _upstreamLost = false;
                    break;
                case "heal-failed":
                    _failedTargets.Add(recorded.Target ?? "");
                    break;
                case "heal-verified":
                    _failedTargets.Remove(recorded.Target ?? "");
                    break;
                case "started":
                    Volatile.Write(ref _progress, 1);
                    _signals.Writer.TryWrite(true); // the first ping right away
                    return;
                default:
                    return;
            }

            after = _upstreamLost || _failedTargets.Count > 0;
        }

        if (before != after)
            _signals.Writer.TryWrite(true);
    }

    /// <summary>Pings until cancelled. Does not throw.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = _time.CreateTimer(_ => _signals.Writer.TryWrite(false), null, _config.Interval, _config.Interval);
        try
        {
            while (true)
            {
                var changed = await _signals.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                while (_signals.Reader.TryRead(out var more))
                    changed |= more;

                // A tick without progress says nothing: silence is how a stalled watcher is noticed.
                if (Interlocked.Exchange(ref _progress, 0) == 1 || changed)
                    await PingAsync(Failing, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary>The URL pinged for success or failure: Healthchecks' <c>/fail</c> suffix on the path.</summary>
    public static Uri PingUrl(Uri url, bool fail)
    {
        ArgumentNullException.ThrowIfNull(url);
        return fail ? new UriBuilder(url) { Path = url.AbsolutePath.TrimEnd('/') + "/fail" }.Uri : url;
    }

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }

    private async Task PingAsync(bool fail, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_config.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, PingUrl(_config.Url, fail));
            request.Headers.UserAgent.ParseAdd("rebound-healthcheck/1");
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            error = code is >= 200 and < 300 ? null : $"answered HTTP {code}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"timed out after {ConfigDuration.Format(_config.Timeout)}";
        }
        catch (HttpRequestException ex)
        {
            error = $"request failed ({ex.HttpRequestError})"; // never the text: it may quote the URL
        }

        if (error is not null)
        {
            _events.Writer.TryWrite(new NotifyFailed(_time.GetUtcNow(), _config.Label, "healthcheck", $"{(fail ? "fail " : "")}ping {error}", 0,
                (long)_config.Interval.TotalMilliseconds));
        }
    }
}
