using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Heal;
using Rebound.Act.Notify.Healthcheck;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Record;

namespace Rebound.Tests.Act.Notify;

/// <summary>The healthcheck pinger on fake time against a fake Healthchecks ping endpoint (any 2xx; /fail marks a failure).</summary>
public sealed class HealthcheckPingerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 13, 0, 0, TimeSpan.Zero);
    private static readonly Uri Url = new("https://hc.fake.test/ping/0b5f2b4e-uuid");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RecordedEvent Recorded(ReboundEvent e) => Assert.Single(EventCatalogue.Record(e));

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

    [Fact]
    public async Task Pings_every_interval_only_with_progress_and_fail_at_once_while_the_upstream_is_lost()
    {
        var time = new FakeTimeProvider(Start);
        using var fake = new FakeHealthchecks();
        using var pinger = new HealthcheckPinger(new HealthcheckConfig(Url, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)), time, fake);
        using var stop = new CancellationTokenSource();
        var run = pinger.RunAsync(stop.Token);
        await Task.Delay(50, Ct);

        pinger.OnEvent(Recorded(new WatcherStarted(Start, null, null, [])));
        await UntilAsync(() => fake.Paths.Count == 1);
        Assert.Equal("/ping/0b5f2b4e-uuid", fake.Paths[0]);

        time.Advance(TimeSpan.FromMinutes(1)); // no probe since: a stalled watcher stays silent
        await Task.Delay(100, Ct);
        Assert.Single(fake.Paths);

        pinger.OnProgress();
        time.Advance(TimeSpan.FromMinutes(1));
        await UntilAsync(() => fake.Paths.Count == 2);

        pinger.OnEvent(Recorded(new UpstreamLost(time.GetUtcNow(), IpFamily.Ipv4, IPAddress.Parse("198.51.100.2"), new("x", 3, []))));
        await UntilAsync(() => fake.Paths.Count == 3);
        Assert.Equal("/ping/0b5f2b4e-uuid/fail", fake.Paths[2]);
        pinger.OnProgress();
        time.Advance(TimeSpan.FromMinutes(1));
        await UntilAsync(() => fake.Paths.Count == 4);
        Assert.Equal("/ping/0b5f2b4e-uuid/fail", fake.Paths[3]);

        pinger.OnEvent(Recorded(new UpstreamRestored(time.GetUtcNow(), IpFamily.Ipv4, IPAddress.Parse("192.0.2.2"), new("x", 1, []))));
        await UntilAsync(() => fake.Paths.Count == 5);
        Assert.Equal("/ping/0b5f2b4e-uuid", fake.Paths[4]);

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_failed_heal_pings_fail_until_that_target_is_verified_and_a_refused_ping_is_journaled_without_the_uuid()
    {
        var time = new FakeTimeProvider(Start);
        using var fake = new FakeHealthchecks();
        using var pinger = new HealthcheckPinger(new HealthcheckConfig(Url, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)), time, fake);
        using var stop = new CancellationTokenSource();
        var run = pinger.RunAsync(stop.Token);

        pinger.OnEvent(Recorded(new HealFailed(Start, "wireguard:wg0", "no handshake after restart", true, null)));
        await UntilAsync(() => fake.Paths.Count == 1);
        Assert.Equal("/ping/0b5f2b4e-uuid/fail", fake.Paths[0]);
        Assert.True(pinger.Failing);

        fake.Status = HttpStatusCode.NotFound;
        pinger.OnEvent(Recorded(new HealVerified(Start, "wireguard:wg0", HealActionKind.Rebind, 2140, "handshake 1 s ago")));
        var failed = await pinger.Events.ReadAsync(Ct);
        Assert.False(pinger.Failing);
        Assert.Equal("/ping/0b5f2b4e-uuid", fake.Paths[1]);
        Assert.Equal("ping answered HTTP 404", failed.Error);
        Assert.DoesNotContain("0b5f2b4e", Assert.Single(EventCatalogue.Record(failed)).Json, StringComparison.Ordinal);

        await stop.CancelAsync();
        await run;
    }

    /// <summary>A fake of Healthchecks' ping endpoint: GET on the check's URL or URL/fail, answered 200 "OK".</summary>
    private sealed class FakeHealthchecks : HttpMessageHandler
    {
        private readonly Lock _gate = new();
        private readonly List<string> _paths = [];

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        public IReadOnlyList<string> Paths
        {
            get
            {
                lock (_gate)
                    return [.. _paths];
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_gate)
                _paths.Add(request.RequestUri!.AbsolutePath);
            return Task.FromResult(new HttpResponseMessage(Status) { Content = new StringContent(Status == HttpStatusCode.OK ? "OK" : "not found") });
        }
    }
}
