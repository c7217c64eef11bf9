using System.Net;
using Rebound.Sense.Uplinks;
using Rebound.Tests.Sense.Stun;

namespace Rebound.Tests.Sense.Uplinks;

/// <summary>
/// The per-WAN prober with real sockets pinned to <c>lo</c> (SO_BINDTODEVICE, source address) against a loopback
/// STUN server: the state machine, its events, and a pin that cannot work failing like a dead uplink.
/// </summary>
public sealed class UplinkMonitorTests
{
    private static readonly UplinkMonitorOptions Fast = new() { ProbeTimeout = TimeSpan.FromMilliseconds(300) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IPAddress? OnlyLo(string name) => name == "lo" ? IPAddress.Loopback : null;

    [Fact]
    public async Task Answer_through_the_pinned_socket_is_up_with_the_reflexive_address_then_silence_is_down_then_up_again()
    {
        var answer = true;
        var reported = new IPEndPoint(IPAddress.Parse("100.64.7.9"), 40000);
        await using var server = new FakeStunServer(IPAddress.Loopback, (s, r) => answer ? s.ReplyAsync(r, FakeStunServer.SuccessFor(r, reported)) : Task.CompletedTask);
        var monitor = new UplinkMonitor(["lo"], [server.AsStunServer()], Fast, localIpv4: OnlyLo);
        Assert.Equal(UplinkState.Unknown, Assert.Single(monitor.Current).State);

        var up = Assert.IsType<UplinkUp>(await monitor.ProbeOnceAsync("lo", Ct));
        Assert.Equal(("lo", "100.64.7.9"), (up.Interface, up.Address?.ToString()));
        Assert.Equal(IPAddress.Loopback, server.Requests.Last().From.Address);
        var status = Assert.Single(monitor.Current);
        Assert.Equal((UplinkState.Up, IPAddress.Parse("100.64.7.9"), IPAddress.Loopback), (status.State, status.Ipv4, status.LocalIpv4));
        Assert.Null(await monitor.ProbeOnceAsync("lo", Ct));

        answer = false;
        var down = Assert.IsType<UplinkDown>(await monitor.ProbeOnceAsync("lo", Ct));
        Assert.Equal("100.64.7.9", down.Address?.ToString());
        Assert.Contains("no answer via lo from 127.0.0.1", down.Evidence, StringComparison.Ordinal);
        Assert.Equal(UplinkState.Down, Assert.Single(monitor.Current).State);
        Assert.Null(await monitor.ProbeOnceAsync("lo", Ct));

        answer = true;
        Assert.IsType<UplinkUp>(await monitor.ProbeOnceAsync("lo", Ct));
    }

    [Fact]
    public async Task Missing_interface_stays_unknown_without_events_and_is_reported_missing()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);
        var monitor = new UplinkMonitor(["lo", "wan9"], [server.AsStunServer()], Fast, localIpv4: OnlyLo);

        Assert.Equal(["wan9"], monitor.Missing());
        Assert.Null(await monitor.ProbeOnceAsync("wan9", Ct));
        Assert.Equal(UplinkState.Unknown, monitor.Current[1].State);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Socket_that_cannot_be_pinned_to_the_device_is_a_failed_probe_not_a_crash()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);
        // The address exists, the device does not: SO_BINDTODEVICE fails, and so does the probe.
        var monitor = new UplinkMonitor(["nosuchdev0"], [server.AsStunServer()], Fast, localIpv4: _ => IPAddress.Loopback);

        var down = Assert.IsType<UplinkDown>(await monitor.ProbeOnceAsync("nosuchdev0", Ct));
        Assert.Contains("socket error", down.Evidence, StringComparison.Ordinal);
        Assert.Equal(UplinkState.Down, Assert.Single(monitor.Current).State);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Run_reports_each_change_once()
    {
        await using var server = new FakeStunServer(IPAddress.Loopback);
        var monitor = new UplinkMonitor(["lo"], [server.AsStunServer()], new UplinkMonitorOptions { Interval = TimeSpan.FromMilliseconds(20), ProbeTimeout = TimeSpan.FromMilliseconds(300) }, localIpv4: OnlyLo);
        var events = new List<UplinkEvent>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = monitor.RunAsync(e => { lock (events) events.Add(e); }, stop.Token);
        while (server.Requests.Count < 5)
            await Task.Delay(10, Ct);
        await stop.CancelAsync();
        await run;
        Assert.IsType<UplinkUp>(Assert.Single(events));
    }
}
