using Microsoft.Extensions.Time.Testing;
using Rebound.Cli.Service;

namespace Rebound.Tests.Service;

public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static SystemdNotifier Notifier(NotifySocketListener listener, TimeProvider time, ulong? watchdogUsec = null, string? watchdogPid = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = listener.NotifySocketValue,
            ["WATCHDOG_USEC"] = watchdogUsec?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WATCHDOG_PID"] = watchdogPid,
        };
        return new SystemdNotifier(SystemdNotifierOptions.FromEnvironment(k => env.GetValueOrDefault(k), Environment.ProcessId), time);
    }

    /// <summary>Datagrams arrive asynchronously; give any stray one a moment before asserting on the count.</summary>
    private static async Task<IReadOnlyList<string>> Settled(NotifySocketListener listener)
    {
        await Task.Delay(100, TestContext.Current.CancellationToken);
        return listener.Messages;
    }

    [Fact]
    public async Task Ready_status_and_stopping_reach_a_socket_in_a_directory()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        using var notifier = Notifier(listener, new FakeTimeProvider());

        Assert.True(notifier.IsEnabled);
        Assert.True(notifier.Ready("watching 2 STUN servers"));
        Assert.True(notifier.Status("public address 198.51.100.2"));
        Assert.True(notifier.Stopping());

        await listener.WaitForAsync(m => m == "STOPPING=1", Wait);
        Assert.Equal(["READY=1\nSTATUS=watching 2 STUN servers", "STATUS=public address 198.51.100.2", "STOPPING=1"], listener.Messages);
    }

    [Fact]
    public async Task An_abstract_socket_name_is_reached()
    {
        using var listener = NotifySocketListener.Abstract();
        using var notifier = Notifier(listener, new FakeTimeProvider());

        Assert.StartsWith("@", listener.NotifySocketValue, StringComparison.Ordinal);
        Assert.True(notifier.Ready());

        Assert.Equal("READY=1", await listener.WaitForAsync(_ => true, Wait));
    }

    [Fact]
    public async Task A_status_cannot_add_fields_with_line_breaks()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        using var notifier = Notifier(listener, new FakeTimeProvider());

        notifier.Status("evil\nREADY=1");

        Assert.Equal("STATUS=evil READY=1", await listener.WaitForAsync(_ => true, Wait));
    }

    [Fact]
    public async Task Reloading_carries_the_monotonic_time_in_microseconds()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        time.Advance(TimeSpan.FromSeconds(1234.5));
        using var notifier = Notifier(listener, time);

        notifier.Reloading("reloading configuration");

        var message = await listener.WaitForAsync(_ => true, Wait);
        var expectedUsec = (ulong)(time.GetTimestamp() / (double)time.TimestampFrequency * 1_000_000);
        Assert.Equal($"RELOADING=1\nMONOTONIC_USEC={expectedUsec}\nSTATUS=reloading configuration", message);
        Assert.True(expectedUsec >= 1_234_500_000);
    }

    [Fact]
    public async Task Watchdog_pings_at_half_the_interval_while_alive_and_stops_when_not()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        using var notifier = Notifier(listener, time, watchdogUsec: 30_000_000);
        var alive = true;

        Assert.Equal(TimeSpan.FromSeconds(15), notifier.WatchdogInterval);
        Assert.True(notifier.StartWatchdog(() => alive));

        time.Advance(TimeSpan.FromSeconds(14.9));
        Assert.Empty(await Settled(listener));

        time.Advance(TimeSpan.FromSeconds(0.1));
        await listener.WaitForAsync(m => m == "WATCHDOG=1", Wait);
        time.Advance(TimeSpan.FromSeconds(15));
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(["WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"], await Settled(listener));

        // A hung agent misses its pings, so systemd's watchdog fires and restarts it.
        alive = false;
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(3, (await Settled(listener)).Count);

        alive = true;
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(4, (await Settled(listener)).Count);
    }

    [Fact]
    public async Task A_throwing_liveness_check_counts_as_not_alive()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        using var notifier = Notifier(listener, time, watchdogUsec: 2_000_000);

        notifier.StartWatchdog(() => throw new InvalidOperationException("boom"));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(await Settled(listener));
    }

    [Fact]
    public async Task Watchdog_meant_for_another_process_is_not_fed()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        using var notifier = Notifier(listener, time, watchdogUsec: 2_000_000, watchdogPid: (Environment.ProcessId + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Null(notifier.WatchdogInterval);
        Assert.False(notifier.StartWatchdog(() => true));
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(await Settled(listener));
    }

    [Fact]
    public async Task Watchdog_for_our_own_pid_is_fed()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        using var notifier = Notifier(listener, time, watchdogUsec: 2_000_000, watchdogPid: Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(notifier.StartWatchdog(() => true));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("WATCHDOG=1", await listener.WaitForAsync(_ => true, Wait));
    }

    [Fact]
    public async Task Disposing_stops_the_watchdog()
    {
        using var listener = NotifySocketListener.InTempDirectory();
        var time = new FakeTimeProvider();
        var notifier = Notifier(listener, time, watchdogUsec: 2_000_000);
        notifier.StartWatchdog(() => true);

        notifier.Dispose();
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(await Settled(listener));
        Assert.False(notifier.Ready());
    }

    [Fact]
    public void Without_a_notify_socket_everything_is_a_no_op()
    {
        var time = new FakeTimeProvider();
        using var notifier = new SystemdNotifier(
            SystemdNotifierOptions.FromEnvironment(k => k == "WATCHDOG_USEC" ? "2000000" : null, Environment.ProcessId), time);

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Ready());
        Assert.False(notifier.Stopping());
        Assert.False(notifier.StartWatchdog(() => true));
        Assert.Null(notifier.WatchdogInterval);
    }

    [Fact]
    public void A_socket_that_nobody_listens_on_is_not_fatal()
    {
        var path = Path.Combine(Path.GetTempPath(), $"rebound-nobody-{Guid.NewGuid():N}");
        using var notifier = new SystemdNotifier(
            SystemdNotifierOptions.FromEnvironment(k => k == "NOTIFY_SOCKET" ? path : null, Environment.ProcessId), new FakeTimeProvider());

        Assert.True(notifier.IsEnabled);
        Assert.False(notifier.Ready());
    }

    [Theory]
    [InlineData("relative/path", null)]
    [InlineData("@", null)]
    [InlineData("", null)]
    [InlineData("/run/systemd/notify", "/run/systemd/notify")]
    [InlineData("@/org/freedesktop/systemd1/notify/123", "@/org/freedesktop/systemd1/notify/123")]
    public void Only_absolute_paths_and_abstract_names_are_accepted(string value, string? expected) =>
        Assert.Equal(expected, SystemdNotifierOptions.FromEnvironment(k => k == "NOTIFY_SOCKET" ? value : null, 1).NotifySocket);

    [Theory]
    [InlineData("30000000", null, 30_000)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("abc", null, null)]
    [InlineData("30000000", "42", 30_000)]
    [InlineData("30000000", "43", null)]
    [InlineData("30000000", "x", null)]
    public void Watchdog_interval_comes_from_watchdog_usec_for_our_pid(string usec, string? pid, int? expectedMs)
    {
        var options = SystemdNotifierOptions.FromEnvironment(k => k switch { "WATCHDOG_USEC" => usec, "WATCHDOG_PID" => pid, _ => null }, 42);

        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, options.Watchdog);
    }
}
