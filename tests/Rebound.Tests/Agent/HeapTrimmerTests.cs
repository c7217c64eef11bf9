using Microsoft.Extensions.Time.Testing;
using Rebound.Cli.Agent;

namespace Rebound.Tests.Agent;

public sealed class HeapTrimmerTests
{
    [Fact]
    public void Collects_once_per_interval_and_never_after_dispose()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        var trimmer = new HeapTrimmer(time, TimeSpan.FromSeconds(60), () => collections++);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, collections);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, collections);
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(4, collections);

        trimmer.Dispose();
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(4, collections);
    }
}
