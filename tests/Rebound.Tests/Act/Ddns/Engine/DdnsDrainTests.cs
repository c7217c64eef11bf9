using Rebound.Act.Ddns.Engine;
using static Rebound.Tests.Act.Ddns.Engine.EngineHarness;

namespace Rebound.Tests.Act.Ddns.Engine;

/// <summary>A stopping agent drains the DDNS engine before it cancels it: what the provider answers in flight is recorded.</summary>
public sealed class DdnsDrainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_send_in_flight_holds_the_drain_until_its_answer_is_recorded()
    {
        var updater = new FakeUpdater { Hold = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var h = new EngineHarness([Target(updater)]);
        h.Address(A);
        while (updater.Calls.Count == 0)
            await Task.Delay(1, Ct);

        var drained = h.Engine.DrainAsync(Ct);
        await Task.Delay(20, Ct);
        Assert.False(drained.IsCompleted);
        updater.Hold.SetResult();
        await drained.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // Recorded before the drain completed: the event is out and the cache knows the address.
        Assert.Equal(A, Assert.Single(h.Events<DdnsUpdated>()).Address);
        h.Address(A);
        await h.IdleAsync();
        Assert.Single(updater.Calls);
    }

    [Fact]
    public async Task An_address_handed_over_just_before_the_stop_is_still_sent_within_the_drain()
    {
        var updater = new FakeUpdater();
        await using var h = new EngineHarness([Target(updater)]);
        await h.IdleAsync();

        h.Address(B);
        await h.Engine.DrainAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(B, Assert.Single(Assert.Single(updater.Calls)).Address);
    }

    [Fact]
    public async Task A_verification_waiting_for_its_next_query_does_not_hold_the_drain()
    {
        var updater = new FakeUpdater();
        var verifier = new FakeVerifier(TimeProvider.System); // never serves the address
        await using var h = new EngineHarness([Target(updater) with { Verifier = verifier }]);
        h.Address(A);
        await h.IdleAsync();
        Assert.Equal(1, verifier.Queries);

        await h.Engine.DrainAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Empty(h.Events<DdnsUpdated>());
    }

    [Fact]
    public async Task An_idle_engine_is_drained_at_once()
    {
        await using var h = new EngineHarness([Target(new FakeUpdater())]);
        await h.IdleAsync();

        Assert.True(h.Engine.DrainAsync(Ct).IsCompleted);
    }
}
