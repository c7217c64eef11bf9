using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;
using static Rebound.Tests.Act.Ddns.Engine.EngineHarness;

namespace Rebound.Tests.Act.Ddns.Engine;

/// <summary><see cref="DdnsEngine.UpdateOnceAsync"/>: the one-shot pass behind <c>rebound ddns update</c>.</summary>
public sealed class DdnsOnceTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rebound-once-");
    private readonly FakeTimeProvider _time = new(Start);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string CachePath => Path.Combine(_dir.FullName, "ddns-cache.json");

    public void Dispose() => _dir.Delete(recursive: true);

    private DdnsEngine Engine(params DdnsTarget[] targets) =>
        new(targets, new DdnsEngineOptions { CachePath = CachePath }, _time);

    private static Dictionary<IpFamily, IPAddress> V4(IPAddress address) => new() { [IpFamily.Ipv4] = address };

    [Fact]
    public async Task A_changed_record_is_sent_once_and_cached()
    {
        var updater = new FakeUpdater();
        var result = await Engine(Target(updater)).UpdateOnceAsync(V4(A), dryRun: false, Ct);

        var record = Assert.Single(Assert.Single(updater.Calls));
        Assert.Equal(A, record.Address);
        Assert.True(result.Succeeded);
        var updated = Assert.Single(result.Events.OfType<DdnsUpdated>());
        Assert.Equal(["home.example.com"], updated.Names);
        Assert.Contains(result.Records, r => r.Status == DdnsRecordStatus.Send && r.Family == IpFamily.Ipv4);
        Assert.Contains(result.Records, r => r.Status == DdnsRecordStatus.NoAddress && r.Family == IpFamily.Ipv6);
        Assert.Contains("192.0.2.1", await File.ReadAllTextAsync(CachePath, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_current_record_sends_nothing_and_says_since_when()
    {
        var first = new FakeUpdater();
        await Engine(Target(first)).UpdateOnceAsync(V4(A), dryRun: false, Ct);
        _time.Advance(TimeSpan.FromMinutes(5));

        // A new process: a new engine reading the same cache.
        var second = new FakeUpdater();
        var result = await Engine(Target(second)).UpdateOnceAsync(V4(A), dryRun: false, Ct);

        Assert.Empty(second.Calls);
        Assert.True(result.Succeeded);
        Assert.Empty(result.Events);
        var record = Assert.Single(result.Records, r => r.Family == IpFamily.Ipv4);
        Assert.Equal(DdnsRecordStatus.Current, record.Status);
        Assert.Equal(Start, record.SentAt);
        Assert.Equal(A, record.Address);
    }

    [Fact]
    public async Task A_dry_run_sends_nothing_and_writes_nothing()
    {
        await Engine(Target(new FakeUpdater())).UpdateOnceAsync(V4(A), dryRun: false, Ct);
        var before = await File.ReadAllTextAsync(CachePath, Ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        var updater = new FakeUpdater();
        var result = await Engine(Target(updater, "t1", "home.example.com", "vpn.example.com")).UpdateOnceAsync(V4(B), dryRun: true, Ct);

        Assert.Empty(updater.Calls);
        Assert.Empty(result.Events);
        Assert.True(result.Succeeded);
        Assert.All(result.Records.Where(r => r.Family == IpFamily.Ipv4), r =>
        {
            Assert.Equal(DdnsRecordStatus.Send, r.Status);
            Assert.Equal(B, r.Address);
        });
        Assert.Equal(before, await File.ReadAllTextAsync(CachePath, Ct));
    }

    [Fact]
    public async Task RetryLater_is_a_failure_at_once_without_a_retry_and_nothing_is_cached()
    {
        var updater = new FakeUpdater { Respond = _ => DdnsUpdateResult.RetryLater(TimeSpan.FromMinutes(10), "server busy") };
        var result = await Engine(Target(updater)).UpdateOnceAsync(V4(A), dryRun: false, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Single(updater.Calls);
        Assert.False(result.Succeeded);
        var failed = Assert.Single(result.Events.OfType<DdnsFailed>());
        Assert.Null(failed.RetryIn);
        Assert.False(File.Exists(CachePath));
        Assert.Equal(Start, _time.GetUtcNow());
    }

    [Fact]
    public async Task Both_families_of_a_target_go_out_in_one_request()
    {
        var updater = new FakeUpdater();
        var addresses = new Dictionary<IpFamily, IPAddress> { [IpFamily.Ipv4] = A, [IpFamily.Ipv6] = V6 };
        var result = await Engine(Target(updater)).UpdateOnceAsync(addresses, dryRun: false, Ct);

        Assert.Equal(2, Assert.Single(updater.Calls).Count);
        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Events.OfType<DdnsUpdated>().Count());
    }

    [Fact]
    public async Task With_a_verifier_it_returns_once_the_server_serves_the_address()
    {
        var verifier = new FakeVerifier(_time) { ServedFrom = Start + TimeSpan.FromMilliseconds(600) };
        var target = Target(new FakeUpdater()) with { Verifier = verifier, Families = [IpFamily.Ipv4] };
        var pass = Engine(target).UpdateOnceAsync(V4(A), dryRun: false, Ct);
        await AdvanceUntilAsync(pass);

        var result = await pass;
        Assert.True(result.Succeeded);
        var updated = Assert.Single(result.Events.OfType<DdnsUpdated>());
        Assert.True(updated.Verified);
        Assert.InRange(updated.ElapsedMs, 600, 1000); // polled every 200 ms
    }

    [Fact]
    public async Task A_verification_timeout_is_a_failure_but_the_accepted_record_stays_cached()
    {
        var verifier = new FakeVerifier(_time);
        var target = Target(new FakeUpdater()) with { Verifier = verifier, Families = [IpFamily.Ipv4] };
        var engine = new DdnsEngine([target], new DdnsEngineOptions { CachePath = CachePath, VerifyTimeout = TimeSpan.FromSeconds(2) }, _time);
        var pass = engine.UpdateOnceAsync(V4(A), dryRun: false, Ct);
        await AdvanceUntilAsync(pass);

        var result = await pass;
        Assert.False(result.Succeeded);
        var failed = Assert.Single(result.Events.OfType<DdnsFailed>());
        Assert.Contains("did not serve it", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.RetryIn);
        Assert.Contains("192.0.2.1", await File.ReadAllTextAsync(CachePath, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partial_http_failure_reports_the_failed_name_and_caches_the_accepted_one()
    {
        var provider = new PerRecordFake();
        var result = await Engine(Target(provider, "t1", "a.example.com", "b.example.com") with { Families = [IpFamily.Ipv4] })
            .UpdateOnceAsync(V4(A), dryRun: false, Ct);

        Assert.False(result.Succeeded);
        Assert.Equal(["a.example.com"], Assert.Single(result.Events.OfType<DdnsUpdated>()).Names);
        Assert.Equal(["b.example.com"], Assert.Single(result.Events.OfType<DdnsFailed>()).Names);
        var cache = await File.ReadAllTextAsync(CachePath, Ct);
        Assert.Contains("a.example.com", cache, StringComparison.Ordinal);
        Assert.DoesNotContain("b.example.com", cache, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hung_provider_ends_with_the_callers_cancellation_and_earlier_events_stay_readable()
    {
        var fast = new FakeUpdater();
        var hung = new FakeUpdater { Hold = new TaskCompletionSource() };
        var engine = Engine(Target(fast, "fast", "a.example.com"), Target(hung, "hung", "b.example.com"));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pass = engine.UpdateOnceAsync(V4(A), dryRun: false, cts.Token);
        var watch = Stopwatch.StartNew();
        while (hung.Calls.Count == 0 || fast.Calls.Count == 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the updaters were not called");
            await Task.Delay(5, Ct);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pass.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(engine.Events.TryRead(out var e));
        Assert.Equal("fast", Assert.IsType<DdnsUpdated>(e).TargetId);
    }

    /// <summary>Moves fake time in verifier-interval steps until <paramref name="pass"/> ends (bounded in real time).</summary>
    private async Task AdvanceUntilAsync(Task pass)
    {
        var watch = Stopwatch.StartNew();
        while (!pass.IsCompleted)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException("the one-shot pass did not end");
            await Task.Delay(5, Ct);
            _time.Advance(TimeSpan.FromMilliseconds(200));
        }
    }

    private sealed class PerRecordFake : IDdnsPerRecordUpdater
    {
        public Task<DdnsUpdateResult> UpdateAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<DdnsUpdateResult>> UpdateEachAsync(IReadOnlyList<DdnsRecordUpdate> updates, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DdnsUpdateResult>>([DdnsUpdateResult.Updated("good"), DdnsUpdateResult.RetryLater(TimeSpan.Zero, "HTTP 502")]);
    }

    private async Task<HoldingServer> PublishedOnceAsync()
    {
        var server = new HoldingServer();
        var first = await Engine(Target(server.Updater()) with { Verifier = server }).UpdateOnceAsync(V4(A), dryRun: false, Ct);
        Assert.True(first.Succeeded);
        Assert.Equal(A, server.Held);
        return server;
    }

    [Fact]
    public async Task A_record_the_cache_calls_current_is_asked_of_the_server_and_a_difference_is_sent()
    {
        var server = await PublishedOnceAsync();
        server.Held = C; // changed behind its back

        var updater = server.Updater();
        var result = await Engine(Target(updater) with { Verifier = server }).UpdateOnceAsync(V4(A), dryRun: false, Ct);

        Assert.Equal(A, Assert.Single(Assert.Single(updater.Calls)).Address);
        Assert.Equal(A, server.Held);
        var record = Assert.Single(result.Records, r => r.Family == IpFamily.Ipv4);
        Assert.Equal(DdnsRecordStatus.Send, record.Status);
        Assert.True(record.Drift);
        Assert.NotNull(record.SentAt);
        Assert.True(Assert.Single(result.Events.OfType<DdnsUpdated>()).Drift);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task A_dry_run_shows_drift_and_writes_nothing()
    {
        var server = await PublishedOnceAsync();
        server.Held = C;
        var before = await File.ReadAllBytesAsync(CachePath, Ct);

        var updater = server.Updater();
        var result = await Engine(Target(updater) with { Verifier = server }).UpdateOnceAsync(V4(A), dryRun: true, Ct);

        Assert.Empty(updater.Calls);
        Assert.True(Assert.Single(result.Records, r => r.Family == IpFamily.Ipv4).Drift);
        Assert.Equal(before, await File.ReadAllBytesAsync(CachePath, Ct));
        Assert.Equal(C, server.Held);
    }

    [Fact]
    public async Task A_server_that_cannot_be_asked_leaves_the_cached_record_current_but_unconfirmed()
    {
        var server = await PublishedOnceAsync();
        server.Unreachable = true;

        var updater = server.Updater();
        var result = await Engine(Target(updater) with { Verifier = server }).UpdateOnceAsync(V4(A), dryRun: false, Ct);

        Assert.Empty(updater.Calls);
        var record = Assert.Single(result.Records, r => r.Family == IpFamily.Ipv4);
        Assert.Equal(DdnsRecordStatus.Current, record.Status);
        Assert.True(record.Unconfirmed);
        Assert.False(record.Drift);
        Assert.Contains("the cached address is trusted", Assert.Single(result.Events.OfType<DdnsWarning>()).Message, StringComparison.Ordinal);
        Assert.True(result.Succeeded);
    }
}
