using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rebound.Sense.Stun;

namespace Rebound.Tests.Sense.Stun;

/// <summary>The retransmission schedule, driven entirely by a <see cref="FakeTimeProvider"/>.</summary>
public sealed class StunProberTimingTests
{
    [Fact]
    public async Task Default_schedule_retransmits_at_250_and_750_ms_and_gives_up_at_one_second()
    {
        var time = new FakeTimeProvider();
        await using var server = new FakeStunServer(IPAddress.Loopback, (_, _) => Task.CompletedTask);
        var prober = new StunProber(new StunProberOptions(), time);

        var probe = prober.ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);
        await server.WaitForRequestsAsync(1);

        await AdvanceAsync(time, 249);
        Assert.Single(server.Requests);
        await AdvanceAsync(time, 1);
        await server.WaitForRequestsAsync(2);
        Assert.Equal(2, server.Requests.Count);

        await AdvanceAsync(time, 499); // the interval doubled to 500 ms
        Assert.Equal(2, server.Requests.Count);
        await AdvanceAsync(time, 1);
        await server.WaitForRequestsAsync(3);
        Assert.Equal(3, server.Requests.Count);

        await AdvanceAsync(time, 249); // no fourth transmission; waiting out the 1 s budget
        Assert.False(probe.IsCompleted);
        await AdvanceAsync(time, 1);

        var result = await probe.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal("timeout after 3 transmissions", result.Error);
        Assert.Equal(3, result.Transmissions);
        Assert.Equal(TimeSpan.FromSeconds(1), result.Rtt);
        Assert.Equal(3, server.Requests.Count);
    }

    /// <summary>Lets the prober arm its next timer, moves fake time, then lets callbacks run.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider time, int milliseconds)
    {
        await Task.Delay(30, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(milliseconds));
        await Task.Delay(30, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Rtt_is_measured_with_the_injected_time_provider()
    {
        var time = new FakeTimeProvider();
        var reported = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 5000);
        await using var server = new FakeStunServer(IPAddress.Loopback, (s, r) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(42)); // the "network" takes 42 ms
            return s.ReplyAsync(r, FakeStunServer.SuccessFor(r, reported));
        });

        var result = await new StunProber(new StunProberOptions(), time).ProbeAsync(server.AsStunServer(), TestContext.Current.CancellationToken);

        Assert.Equal(reported, result.Mapped);
        Assert.Equal(TimeSpan.FromMilliseconds(42), result.Rtt);
    }
}
