using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using static Rebound.Tests.Act.Ddns.Engine.EngineHarness;

namespace Rebound.Tests.Act.Ddns.Engine;

public sealed class ReviewRegressionTests
{
    [Fact]
    public async Task A_far_future_Retry_After_is_capped_at_a_day_instead_of_silencing_the_target()
    {
        var updater = new FakeUpdater { Respond = _ => DdnsUpdateResult.RetryLater(TimeSpan.FromDays(365 * 8000), "come back in the year 9999") };
        await using var h = new EngineHarness([Target(updater)]);
        h.Address(A);
        await h.IdleAsync();

        var failed = Assert.Single(h.Events<DdnsFailed>());
        Assert.Equal(TimeSpan.FromDays(1), failed.RetryIn);

        updater.Respond = _ => DdnsUpdateResult.Updated("good");
        await h.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(2, updater.Calls.Count);
        Assert.Single(h.Events<DdnsUpdated>());
    }
}
