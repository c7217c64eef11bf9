using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Notify;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Act.Notify;

/// <summary>The runner's rate limit and coalescing on fake time, against <see cref="FakeNotifyApis"/>.</summary>
public sealed class NotifyRunnerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 13, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeNotifyApis _fake = new();

    public void Dispose() => _fake.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RecordedEvent Lost(DateTimeOffset at) =>
        Assert.Single(EventCatalogue.Record(new UpstreamLost(at, IpFamily.Ipv4, IPAddress.Parse("198.51.100.2"), new("x", 3, []))));

    private static RecordedEvent Restored(DateTimeOffset at) =>
        Assert.Single(EventCatalogue.Record(new UpstreamRestored(at, IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), new("x", 1, []))));

    private NotifyRunner Runner(string url, string[]? events = null) =>
        new([new NotifyConfig(0, 1, events ?? ["*"], NotifyServices.Parse(url, out _)!, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10))],
            new NotifyRunnerOptions { TimeProvider = _time, HttpHandler = _fake, Host = "gw" });

    private static async Task UntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException("condition not reached");
            await Task.Delay(5, Ct);
        }
    }

    /// <summary>Lets the worker reach its next wait before time moves (a fake timer only fires once it is set).</summary>
    private static Task SettleAsync() => Task.Delay(100, Ct);

    [Fact]
    public async Task The_first_event_goes_at_once_and_a_burst_waits_for_the_window_as_one_digest()
    {
        using var runner = Runner($"ntfy://{FakeNotifyApis.NtfyHost}/rebound-home");
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Lost(_time.GetUtcNow()));
        await UntilAsync(() => _fake.Requests.Count == 1);
        Assert.Equal("rebound@gw: upstream-lost", _fake.Requests[0].Headers["Title"]);
        Assert.StartsWith("upstream-lost ", _fake.Requests[0].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", _fake.Requests[0].Body, StringComparison.Ordinal); // one line

        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            runner.OnEvent(i % 2 == 0 ? Restored(_time.GetUtcNow()) : Lost(_time.GetUtcNow()));
        }

        await SettleAsync();
        Assert.Single(_fake.Requests); // held: inside the window
        _time.Advance(TimeSpan.FromSeconds(19)); // 29 s after the first message
        await SettleAsync();
        Assert.Single(_fake.Requests);
        _time.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => _fake.Requests.Count == 2);
        var digest = _fake.Requests[1];
        Assert.Equal("rebound@gw: 5 events (upstream-restored, upstream-lost)", digest.Headers["Title"]);
        Assert.Equal(5, digest.Body.Split('\n').Length);
        Assert.StartsWith("2026-12-02T13:00:02", digest.Body, StringComparison.Ordinal); // each line with its time, oldest first

        await stop.CancelAsync();
        await run;
        Assert.Equal(2, _fake.Requests.Count);
    }

    [Fact]
    public async Task A_429_keeps_the_events_and_tries_again_after_retry_after_and_it_is_journaled_without_the_token()
    {
        using var runner = Runner($"telegram://{FakeNotifyApis.TelegramToken}@telegram?chats=@rebound_home");
        _fake.RetryAfterSeconds = 90; // longer than the window: the service's delay wins
        _fake.RateLimitNext("api.telegram.org", 1);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Lost(_time.GetUtcNow()));
        var failed = await runner.Events.ReadAsync(Ct);
        Assert.Equal("rate limited (HTTP 429) (error_code 429)", failed.Error);
        Assert.Equal(90_000, failed.RetryInMs);
        Assert.Equal(1, failed.Events);
        var json = Assert.Single(EventCatalogue.Record(failed)).Json;
        Assert.Contains("\"event\":\"notify-failed\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", json, StringComparison.Ordinal);
        Assert.DoesNotContain("110201543", json, StringComparison.Ordinal);
        Assert.DoesNotContain("rebound_home", json, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(89));
        await SettleAsync();
        Assert.Single(_fake.Requests);
        _time.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => _fake.Requests.Count == 2);
        Assert.Contains("upstream-lost", _fake.Requests[1].Body, StringComparison.Ordinal);
        await SettleAsync();
        Assert.False(runner.Events.TryRead(out _)); // delivered this time

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_refused_message_is_dropped_and_journaled_and_the_runner_never_notifies_its_own_failures()
    {
        using var runner = Runner("discord://wrongtoken42@123456789012345678");
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Lost(_time.GetUtcNow()));
        var failed = await runner.Events.ReadAsync(Ct);
        Assert.Equal(("answered HTTP 401 (code 50027)", (long?)null), (failed.Error, failed.RetryInMs));
        Assert.Equal("notify[0] (discord (https://discord.com/…))", failed.Label);
        Assert.DoesNotContain("wrongtoken42", Assert.Single(EventCatalogue.Record(failed)).Text, StringComparison.Ordinal);

        runner.OnEvent(Assert.Single(EventCatalogue.Record(failed))); // as the agent's hub would hand it back
        _time.Advance(TimeSpan.FromMinutes(5));
        await SettleAsync();
        Assert.Single(_fake.Requests); // not retried, and its own event was not sent

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Only_the_chosen_events_are_sent_and_what_waits_at_stop_is_sent_once()
    {
        using var runner = Runner($"generic+https://{FakeNotifyApis.WebhookHost}/rebound", ["upstream-lost"]);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);

        runner.OnEvent(Restored(_time.GetUtcNow()));
        runner.OnEvent(Lost(_time.GetUtcNow()));
        await UntilAsync(() => _fake.Requests.Count == 1);
        runner.OnEvent(Lost(_time.GetUtcNow()));
        await SettleAsync();
        Assert.Single(_fake.Requests);

        await stop.CancelAsync();
        await run;
        Assert.Equal(2, _fake.Requests.Count);
        Assert.All(_fake.Requests, r => Assert.DoesNotContain("upstream-restored", r.Body, StringComparison.Ordinal));
    }
}
