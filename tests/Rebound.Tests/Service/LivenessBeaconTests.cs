using Microsoft.Extensions.Time.Testing;
using Rebound.Cli.Service;

namespace Rebound.Tests.Service;

public sealed class LivenessBeaconTests
{
    [Fact]
    public void Alive_while_beats_come_within_the_max_silence()
    {
        var time = new FakeTimeProvider();
        var beacon = new LivenessBeacon(TimeSpan.FromSeconds(5), time);

        Assert.True(beacon.IsAlive());
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(beacon.IsAlive());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(beacon.IsAlive());

        beacon.Beat();
        Assert.True(beacon.IsAlive());
    }

    [Fact]
    public async Task A_stuck_loop_stops_the_watchdog_pings()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        var env = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = listener.NotifySocketValue, ["WATCHDOG_USEC"] = "10000000" };
        using var notifier = new SystemdNotifier(SystemdNotifierOptions.FromEnvironment(k => env.GetValueOrDefault(k), Environment.ProcessId), time);
        var beacon = new LivenessBeacon(TimeSpan.FromSeconds(3), time);
        notifier.StartWatchdog(beacon.IsAlive);

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            beacon.Beat();
        }

        await listener.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(20)); // no beats: the loop is stuck
        await Task.Delay(100, TestContext.Current.CancellationToken);

        Assert.Single(listener.Messages);
    }
}
