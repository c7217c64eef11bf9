using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Systemd;
using Rebound.Tests.Fakes;

namespace Rebound.Tests.Act.Systemd;

/// <summary>SystemdUnitRestarter against FakeSystemdManager on a private, real dbus-daemon.</summary>
public sealed class SystemdUnitRestarterTests : IAsyncLifetime
{
    private PrivateDbusDaemon _bus = null!;
    private FakeSystemdManager _systemd = null!;

    public async ValueTask InitializeAsync()
    {
        _bus = await PrivateDbusDaemon.StartAsync();
        _systemd = await FakeSystemdManager.StartAsync(_bus.Address);
        _systemd.Units["tailscaled.service"] = "done";
        _systemd.Units["broken.service"] = "failed";
        _systemd.Units["hanging.service"] = null;
        _systemd.Units["polkit.service"] = "done";
        _systemd.Denied.Add("polkit.service");
    }

    public async ValueTask DisposeAsync()
    {
        _systemd.Dispose();
        await _bus.DisposeAsync();
    }

    private SystemdUnitRestarter Restarter(TimeProvider? time = null, TimeSpan? timeout = null) => new(new SystemdUnitRestarterOptions
    {
        BusAddress = _bus.Address,
        TimeProvider = time ?? TimeProvider.System,
        Timeout = timeout ?? TimeSpan.FromSeconds(20),
    });

    [Fact]
    public async Task FakeSystemd_restart_waits_for_the_jobs_JobRemoved_with_result_done()
    {
        var restarted = new List<string>();
        _systemd.OnRestart = restarted.Add;

        var line = await Restarter().RestartAsync("tailscaled.service", TestContext.Current.CancellationToken);

        Assert.StartsWith("tailscaled.service restarted in ", line, StringComparison.Ordinal);
        Assert.Contains("(job 42)", line, StringComparison.Ordinal);
        Assert.Equal(["tailscaled.service"], restarted);
        Assert.Equal(["Subscribe", "RestartUnit tailscaled.service replace"], _systemd.Calls);
    }

    [Fact]
    public async Task FakeSystemd_job_that_ends_before_the_reply_is_still_seen_because_the_match_comes_first()
    {
        _systemd.JobEndsBeforeReply = true;

        var line = await Restarter().RestartAsync("tailscaled.service", TestContext.Current.CancellationToken);

        Assert.Contains("restarted", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeSystemd_job_result_failed_is_a_one_line_error()
    {
        var ex = await Assert.ThrowsAsync<UnitRestartException>(() => Restarter().RestartAsync("broken.service", TestContext.Current.CancellationToken).AsTask());

        Assert.Equal("restarting broken.service ended with job result \"failed\" (see journalctl -u broken.service)", ex.Message);
    }

    [Fact]
    public async Task FakeSystemd_unknown_unit_says_NoSuchUnit()
    {
        var ex = await Assert.ThrowsAsync<UnitRestartException>(() => Restarter().RestartAsync("nope.service", TestContext.Current.CancellationToken).AsTask());

        Assert.Equal("systemd has no unit nope.service (org.freedesktop.systemd1.NoSuchUnit)", ex.Message);
    }

    [Fact]
    public async Task FakeSystemd_access_denied_says_how_to_get_permission()
    {
        var ex = await Assert.ThrowsAsync<UnitRestartException>(() => Restarter().RestartAsync("polkit.service", TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("not allowed to restart polkit.service (org.freedesktop.DBus.Error.AccessDenied)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task FakeSystemd_job_that_never_ends_times_out_on_the_time_provider()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var restart = Restarter(time, TimeSpan.FromSeconds(90)).RestartAsync("hanging.service", TestContext.Current.CancellationToken).AsTask();
        for (int i = 0; i < 500 && !_systemd.Calls.Any(c => c.StartsWith("RestartUnit", StringComparison.Ordinal)); i++)
            await Task.Delay(10, TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(restart.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(90));

        var ex = await Assert.ThrowsAsync<UnitRestartException>(() => restart);
        Assert.Equal("restarting hanging.service did not finish within 90 s", ex.Message);
    }

    [Fact]
    public async Task Bus_without_systemd_says_so()
    {
        _systemd.Dispose();
        var ex = await Assert.ThrowsAsync<UnitRestartException>(() => Restarter().RestartAsync("tailscaled.service", TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("systemd is not on the system bus (org.freedesktop.DBus.Error.ServiceUnknown)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_bus_socket_is_a_one_line_error()
    {
        var restarter = new SystemdUnitRestarter(new SystemdUnitRestarterOptions { BusAddress = "unix:path=/nonexistent/rebound-test/bus" });

        var ex = await Assert.ThrowsAsync<UnitRestartException>(() => restarter.RestartAsync("tailscaled.service", TestContext.Current.CancellationToken).AsTask());

        Assert.Equal("cannot reach systemd on the system bus at unix:path=/nonexistent/rebound-test/bus (is this a systemd host?): no socket at /nonexistent/rebound-test/bus", ex.Message);
    }

    [Fact]
    public void System_bus_address_comes_from_the_environment_or_the_default()
    {
        Assert.Equal("unix:path=/run/dbus/system_bus_socket", SystemdUnitRestarterOptions.SystemBusAddress(_ => null));
        Assert.Equal("unix:path=/x", SystemdUnitRestarterOptions.SystemBusAddress(name => name == "DBUS_SYSTEM_BUS_ADDRESS" ? "unix:path=/x" : null));
    }
}
