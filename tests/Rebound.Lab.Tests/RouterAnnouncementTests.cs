using Rebound.Lab.Tests.Harness;

namespace Rebound.Lab.Tests;

/// <summary>
/// The gateway's NAT-PMP announcement (what miniupnpd multicasts to 224.0.0.1:5350 when its WAN address
/// changes) makes the watcher probe at once instead of at its next tick; STUN still decides.
/// </summary>
public sealed class RouterAnnouncementTests
{
    private static readonly TimeSpan LongInterval = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] WatchArgs() =>
        ["watch", "--server", FailoverLab.Stun1, "--server", FailoverLab.Stun2, "--interval", $"{LongInterval.TotalSeconds}s", "--json"];

    [Fact]
    public async Task An_announcement_from_the_gateway_triggers_the_probe_that_finds_the_new_address()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Renumber, Ct);
        await using var rebound = ReboundProcess.StartInLan(lab, WatchArgs());
        var started = await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);
        Assert.Equal(FailoverLab.Wan1Address, started.GetString("addresses", "ipv4"));

        await lab.FailoverAsync(Ct);
        await AnnounceAsync(lab, "router", FailoverLab.Wan1Renumbered);

        // Well inside the 60 s interval: only the announcement can have caused this round.
        var e = await rebound.NextEventAsync(TimeSpan.FromSeconds(15), "public-address-changed after the announcement", Ct);
        Assert.Equal("public-address-changed", e.Name);
        Assert.Equal(FailoverLab.Wan1Renumbered, e.GetString("new"));
        var trigger = e.GetString("evidence", "trigger") ?? "";
        Assert.StartsWith("router-announcement", trigger, StringComparison.Ordinal);
        Assert.Contains(FailoverLab.Wan1Renumbered, trigger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_announcement_from_another_LAN_host_is_ignored()
    {
        await using var lab = await FailoverLab.StartAsync(LabMode.Renumber, Ct);
        await using var rebound = ReboundProcess.StartInLan(lab, WatchArgs());
        await rebound.NextEventAsync(TimeSpan.FromSeconds(20), "started", Ct);

        await lab.FailoverAsync(Ct);
        // The LAN host itself plays a spoofer: same multicast group, but not the gateway's address.
        await AnnounceAsync(lab, "lan", FailoverLab.Wan1Renumbered);

        await rebound.AssertQuietAsync(TimeSpan.FromSeconds(6), "after a spoofed announcement", Ct);
    }

    /// <summary>Sends a NAT-PMP public-address announcement (RFC 6886 §3.2.1) to 224.0.0.1:5350 on the LAN.</summary>
    private static async Task AnnounceAsync(FailoverLab lab, string from, string external)
    {
        var device = from == "router" ? "lan0" : "eth0";
        var route = await lab.ExecAsync(from, "ip", "route", "replace", "224.0.0.0/4", "dev", device);
        Assert.True(route.ExitCode == 0, route.Stderr);
        var octets = string.Concat(external.Split('.').Select(o => $"\\x{int.Parse(o, System.Globalization.CultureInfo.InvariantCulture):x2}"));
        // version 0, opcode 128, result 0, epoch 3600, external address.
        var payload = $"\\x00\\x80\\x00\\x00\\x00\\x00\\x0e\\x10{octets}";
        var sent = await lab.ExecAsync(from, "bash", "-c", $"printf '{payload}' > /dev/udp/224.0.0.1/5350");
        Assert.True(sent.ExitCode == 0, sent.Stderr);
    }
}
