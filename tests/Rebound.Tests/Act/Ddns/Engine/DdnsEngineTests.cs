using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Decide;
using static Rebound.Tests.Act.Ddns.Engine.EngineHarness;

namespace Rebound.Tests.Act.Ddns.Engine;

public sealed class DdnsEngineTests
{
    [Fact]
    public async Task A_change_is_sent_once_and_elapsed_runs_from_detection()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)]);
        var detectedAt = h.Time.GetUtcNow();
        h.Time.Advance(TimeSpan.FromMilliseconds(300)); // the CLI hands the event over a little later
        h.Engine.OnAddress(IpFamily.Ipv4, A, detectedAt);
        await h.IdleAsync();

        var call = Assert.Single(updater.Calls);
        var record = Assert.Single(call);
        Assert.Equal("home.example.com", record.Hostname);
        Assert.Equal(A, record.Address);
        var updated = Assert.Single(h.Events<DdnsUpdated>());
        Assert.Equal(300, updated.ElapsedMs);
        Assert.False(updated.Verified);
        Assert.Equal(A, updated.Address);
        Assert.Equal("t1", updated.TargetId);
        Assert.Equal("fake", updated.Provider);
    }

    [Fact]
    public async Task The_same_address_again_sends_nothing()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)]);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromMinutes(5));
        h.Address(A);
        h.Engine.OnWanEvent(new UpstreamRestored(h.Time.GetUtcNow(), IpFamily.Ipv4, A, null!));
        await h.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Single(updater.Calls);
    }

    [Fact]
    public async Task Families_are_published_separately_and_only_configured_ones()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { Families = [IpFamily.Ipv6] }]);
        h.Engine.OnWanEvent(new WatcherStarted(h.Time.GetUtcNow(), A, V6, []));
        await h.IdleAsync();

        var record = Assert.Single(Assert.Single(updater.Calls));
        Assert.Equal(V6, record.Address);
        Assert.Equal("AAAA", record.RecordType);
    }

    [Fact]
    public async Task Inside_the_minimum_interval_only_the_newest_address_is_sent_when_it_opens()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { MinInterval = TimeSpan.FromMinutes(1) }]);
        h.Address(A);
        await h.IdleAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Address(B);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Address(C);
        await h.AdvanceAsync(TimeSpan.FromSeconds(39));
        Assert.Single(updater.Calls);

        await h.AdvanceAsync(TimeSpan.FromSeconds(1)); // the window opens 60 s after the first send
        Assert.Equal(2, updater.Calls.Count);
        Assert.Equal(C, Assert.Single(updater.Calls[1]).Address);
        var published = h.Events<DdnsUpdated>();
        Assert.Equal(C, published[^1].Address);
        Assert.Equal(40_000, published[^1].ElapsedMs); // C was detected 20 s after the first send
    }

    [Fact]
    public async Task An_address_that_flips_back_inside_the_window_sends_nothing()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { MinInterval = TimeSpan.FromMinutes(1) }]);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Address(B);
        await h.AdvanceAsync(TimeSpan.FromSeconds(10));
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10));

        Assert.Single(updater.Calls);
    }

    [Fact]
    public async Task RetryLater_is_honoured_and_the_retry_carries_the_newest_address()
    {
        var updater = new FakeUpdater();
        updater.Respond = _ => DdnsUpdateResult.RetryLater(TimeSpan.FromSeconds(90), "rate limited");
        await using var h = new EngineHarness([Target(updater)]);
        h.Address(A);
        await h.IdleAsync();
        var failed = Assert.Single(h.Events<DdnsFailed>());
        Assert.Equal(TimeSpan.FromSeconds(90), failed.RetryIn);
        Assert.False(failed.Fatal);
        Assert.Equal("rate limited", failed.Error);

        updater.Respond = _ => DdnsUpdateResult.Updated("good");
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        h.Address(B);
        await h.AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.Single(updater.Calls);

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, updater.Calls.Count);
        Assert.Equal(B, Assert.Single(updater.Calls[1]).Address);
        Assert.Equal(B, Assert.Single(h.Events<DdnsUpdated>()).Address);
    }

    [Fact]
    public async Task RetryLater_without_a_delay_backs_off_exponentially_up_to_the_cap()
    {
        var updater = new FakeUpdater { Respond = _ => DdnsUpdateResult.RetryLater(TimeSpan.Zero, "busy") };
        var options = new DdnsEngineOptions { InitialBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromSeconds(20) };
        await using var h = new EngineHarness([Target(updater)], options);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1));

        var delays = h.Events<DdnsFailed>().Select(f => f.RetryIn!.Value.TotalSeconds).ToList();
        Assert.Equal([5, 10, 20, 20, 20, 20], delays.Take(6));
        var sendTimes = h.Events<DdnsFailed>().Select(f => (f.Time - Start).TotalSeconds).Take(4);
        Assert.Equal([0, 5, 15, 35], sendTimes);
    }

    [Fact]
    public async Task Success_after_retries_resets_the_backoff()
    {
        int calls = 0;
        var updater = new FakeUpdater
        {
            Respond = _ => ++calls <= 2 ? DdnsUpdateResult.RetryLater(TimeSpan.Zero, "busy") : DdnsUpdateResult.Updated("good"),
        };
        await using var h = new EngineHarness([Target(updater)]);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1));
        Assert.Equal(3, updater.Calls.Count);
        Assert.Equal(15_000, Assert.Single(h.Events<DdnsUpdated>()).ElapsedMs);

        calls = 0;
        h.Address(B);
        await h.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(5, updater.Calls.Count);
        Assert.Equal([5, 10, 5, 10], h.Events<DdnsFailed>().Select(f => f.RetryIn!.Value.TotalSeconds));
    }

    [Fact]
    public async Task Fatal_stops_the_target_and_is_reported_once()
    {
        var updater = new FakeUpdater { Respond = _ => DdnsUpdateResult.Fatal("badauth: check the credentials") };
        var other = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater), Target(other, "t2")]);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromMinutes(1));
        h.Address(B);
        await h.AdvanceAsync(TimeSpan.FromDays(1), TimeSpan.FromHours(1));

        Assert.Single(updater.Calls);
        var failed = Assert.Single(h.Events<DdnsFailed>());
        Assert.True(failed.Fatal);
        Assert.Null(failed.RetryIn);
        Assert.Equal("t1", failed.TargetId);
        Assert.Equal(["home.example.com"], failed.Names);
        Assert.Equal(2, other.Calls.Count); // the other target carries on
    }

    [Fact]
    public async Task A_slow_provider_blocks_neither_the_caller_nor_other_targets()
    {
        var slow = new FakeUpdater { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var fast = new FakeUpdater();
        await using var h = new EngineHarness([Target(slow), Target(fast, "t2")]);
        h.Address(A); // returns at once although the slow provider never answers
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((fast.Calls.Count == 0 || slow.Calls.Count == 0) && DateTime.UtcNow < deadline)
            await Task.Delay(1, TestContext.Current.CancellationToken);
        Assert.Single(fast.Calls);
        Assert.Single(slow.Calls);

        // The slow one answers later and is then sent the newest address only.
        h.Address(B);
        h.Address(C);
        slow.Hold.SetResult();
        await h.IdleAsync();
        Assert.Equal([A, C], slow.Calls.Select(c => Assert.Single(c).Address));
        Assert.Equal(C, Assert.Single(fast.Calls[^1]).Address);
    }

    [Fact]
    public async Task A_forced_refresh_resends_the_unchanged_address_after_the_period()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { Refresh = TimeSpan.FromDays(25) }]);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromDays(25) - TimeSpan.FromSeconds(1));
        Assert.Single(updater.Calls);

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, updater.Calls.Count);
        Assert.Equal(A, Assert.Single(updater.Calls[1]).Address);
        Assert.True(h.Events<DdnsUpdated>()[^1].Refresh);

        await h.AdvanceAsync(TimeSpan.FromDays(25));
        Assert.Equal(3, updater.Calls.Count);
    }

    [Fact]
    public async Task Refresh_periods_longer_than_a_timer_can_wait_work()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater) with { Refresh = TimeSpan.FromDays(90) }]);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromDays(89), TimeSpan.FromDays(7));
        Assert.Single(updater.Calls);
        await h.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(2, updater.Calls.Count);
    }

    [Fact]
    public async Task Only_the_records_that_are_not_current_are_sent()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater, "t1", "a.example.com", "b.example.com")]);
        h.Address(A);
        await h.IdleAsync();
        Assert.Equal(["a.example.com", "b.example.com"], Assert.Single(updater.Calls).Select(u => u.Hostname));
        Assert.Equal(["a.example.com", "b.example.com"], Assert.Single(h.Events<DdnsUpdated>()).Names);
    }

    [Fact]
    public async Task Verification_polls_until_served_and_reports_time_to_published()
    {
        var updater = new FakeUpdater();
        var time = new FakeTimeProvider(Start);
        var verifier = new FakeVerifier(time) { ServedFrom = Start + TimeSpan.FromMilliseconds(1_050) };
        var options = new DdnsEngineOptions { VerifyInterval = TimeSpan.FromMilliseconds(200) };
        await using var h = new EngineHarness([Target(updater) with { Verifier = verifier }], options, time);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));
        Assert.Empty(h.Events<DdnsUpdated>());
        Assert.Equal(6, verifier.Queries); // at 0, 200, … 1000 ms

        await h.AdvanceAsync(TimeSpan.FromMilliseconds(200));
        var updated = Assert.Single(h.Events<DdnsUpdated>());
        Assert.True(updated.Verified);
        Assert.Equal(1_200, updated.ElapsedMs);
        Assert.Equal(7, verifier.Queries);
    }

    [Fact]
    public async Task Unchanged_counts_as_published_without_verifying()
    {
        var updater = new FakeUpdater { Respond = _ => DdnsUpdateResult.Unchanged("nochg") };
        var verifier = new FakeVerifier(TimeProvider.System);
        await using var h = new EngineHarness([Target(updater) with { Verifier = verifier }]);
        h.Address(A);
        await h.IdleAsync();

        var updated = Assert.Single(h.Events<DdnsUpdated>());
        Assert.True(updated.Unchanged);
        Assert.False(updated.Verified);
        Assert.Equal(0, verifier.Queries);
    }

    [Fact]
    public async Task Verification_that_times_out_is_reported_as_failed_and_not_resent()
    {
        var updater = new FakeUpdater();
        var verifier = new FakeVerifier(TimeProvider.System);
        var options = new DdnsEngineOptions { VerifyTimeout = TimeSpan.FromSeconds(30) };
        await using var h = new EngineHarness([Target(updater) with { Verifier = verifier }], options);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(29.8), TimeSpan.FromMilliseconds(200));
        Assert.Empty(h.Events<DdnsFailed>());

        await h.AdvanceAsync(TimeSpan.FromSeconds(0.2));
        var failed = Assert.Single(h.Events<DdnsFailed>());
        Assert.False(failed.Fatal);
        Assert.Null(failed.RetryIn);
        Assert.Contains("did not serve", failed.Error, StringComparison.Ordinal);
        Assert.Empty(h.Events<DdnsUpdated>());

        // Not resent before the next drift check (DriftCheckInterval, 10 min from start), which asks the server again.
        await h.AdvanceAsync(TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(1));
        Assert.Single(updater.Calls);
    }

    [Fact]
    public async Task A_newer_address_supersedes_a_verification_in_progress()
    {
        var updater = new FakeUpdater();
        var time = new FakeTimeProvider(Start);
        var verifier = new FakeVerifier(time) { ServedFrom = Start + TimeSpan.FromSeconds(2) };
        await using var h = new EngineHarness([Target(updater) with { Verifier = verifier }], null, time);
        h.Address(A);
        await h.AdvanceAsync(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200));
        h.Address(B);
        await h.AdvanceAsync(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200));

        var updated = Assert.Single(h.Events<DdnsUpdated>());
        Assert.Equal(B, updated.Address);
        Assert.Empty(h.Events<DdnsFailed>());
    }

    [Fact]
    public async Task Watcher_events_feed_addresses_with_their_detection_time()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)]);
        var detectedAt = h.Time.GetUtcNow() - TimeSpan.FromMilliseconds(750);
        h.Engine.OnWanEvent(new PublicAddressChanged(detectedAt, IpFamily.Ipv4, A, B, null!));
        h.Engine.OnWanEvent(new UpstreamLost(h.Time.GetUtcNow(), IpFamily.Ipv4, B, null!)); // ignored
        await h.IdleAsync();

        Assert.Equal(B, Assert.Single(Assert.Single(updater.Calls)).Address);
        Assert.Equal(750, Assert.Single(h.Events<DdnsUpdated>()).ElapsedMs);
    }

    [Fact]
    public async Task An_updater_that_throws_is_retried_with_backoff()
    {
        int calls = 0;
        var updater = new FakeUpdater
        {
            Respond = _ => ++calls == 1 ? throw new InvalidOperationException("secret=hunter2") : DdnsUpdateResult.Updated("good"),
        };
        await using var h = new EngineHarness([Target(updater)]);
        h.Address(A);
        await h.IdleAsync();
        var failed = Assert.Single(h.Events<DdnsFailed>());
        Assert.Equal(TimeSpan.FromSeconds(5), failed.RetryIn);
        Assert.DoesNotContain("hunter2", failed.Error, StringComparison.Ordinal);

        await h.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, updater.Calls.Count);
        Assert.Single(h.Events<DdnsUpdated>());
    }
}
