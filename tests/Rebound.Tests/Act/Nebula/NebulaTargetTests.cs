using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Heal;
using Rebound.Act.Nebula;
using Rebound.Act.Remedies;
using Rebound.Act.Router;
using Rebound.Tests.Act.WireGuard;
using Rebound.Transport;

namespace Rebound.Tests.Act.Nebula;

/// <summary>The target's diagnosis and ladder against fake pings, fake DNS, a /proc tree in a temporary directory and fake time.</summary>
public sealed class NebulaTargetTests : IDisposable
{
    private static readonly IPAddress Lighthouse = IPAddress.Parse("10.42.0.1");
    private static readonly IPAddress NewPublic = IPAddress.Parse("192.0.2.2");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly FakeEchoPinger _pinger = new();
    private readonly FakeHostResolver _resolver = new();
    private readonly FakeCommandRunner _commands = new();
    private readonly string _proc = Directory.CreateTempSubdirectory("rebound-proc-").FullName;
    private readonly List<ConntrackEntry> _conntrack = [];
    private readonly FakePortHopper _hopper = new();

    public NebulaTargetTests()
    {
        Directory.CreateDirectory(Path.Combine(_proc, "net"));
        Listening(true);
        File.WriteAllText(Path.Combine(_proc, "net", "udp6"), Header);
        _resolver.Answers["lighthouse.example.net"] = [IPAddress.Parse("203.0.113.30")];
    }

    private const string Header = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    /// <summary>nebula's socket on 0.0.0.0:4242 (0x1092) is there, or not.</summary>
    private void Listening(bool yes) => File.WriteAllText(Path.Combine(_proc, "net", "udp"), Header + (yes
        ? "  734: 00000000:1092 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81234 2 0000000000000000 0\n"
        : "  101: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0000000000000000 0\n"));

    private NebulaTarget Target(bool restart = true, params IHealAction[] rungs)
    {
        var config = new NebulaConfig
        {
            Path = "/etc/nebula/config.yml",
            ListenPort = 4242,
            Lighthouses = [Lighthouse],
            StaticHostMap = new Dictionary<IPAddress, IReadOnlyList<string>> { [Lighthouse] = ["lighthouse.example.net:4242"] },
        };
        var options = new NebulaTargetOptions { Config = config, RestartCommand = restart ? ["/usr/bin/systemctl", "restart", "nebula"] : null };
        return new NebulaTarget(options, _pinger, _resolver, new ProcSockets(_proc), _time, _hopper,
            _ => ValueTask.FromResult<IReadOnlyList<ConntrackEntry>>(_conntrack), _commands);
    }

    private HealTrigger Trigger(HealReason reason = HealReason.PublicAddressChanged, bool up = true) =>
        new(_time.GetUtcNow(), reason, null, up ? NewPublic : null, null, up, null, null);

    [Fact]
    public async Task Answers_through_the_overlay_are_healthy()
    {
        var target = Target();

        var diagnosis = await target.DiagnoseAsync(Trigger(HealReason.Startup), Ct);

        Assert.Equal(HealCondition.Healthy, diagnosis.Condition);
        Assert.Contains("udp port 4242: 1 socket(s) bound (0.0.0.0:4242)", diagnosis.Evidence);
        Assert.Contains("ping 10.42.0.1: answered in 1.5 ms (overlay)", diagnosis.Evidence);
        Assert.Equal((Lighthouse, TimeSpan.FromMilliseconds(500)), Assert.Single(_pinger.Pings));
    }

    [Fact]
    public async Task A_silent_tunnel_with_the_upstream_up_is_pinned_with_the_hosts_conntrack_as_evidence()
    {
        var target = Target();
        await target.DiagnoseAsync(Trigger(HealReason.Startup), Ct);
        _pinger.Answer = _ => false;
        _conntrack.Add(Entry(sourcePort: 4242, replyPort: 4242));
        _conntrack.Add(Entry(sourcePort: 5353, replyPort: 5353));

        var diagnosis = await target.DiagnoseAsync(Trigger(), Ct);

        Assert.Equal(HealCondition.FlowPinned, diagnosis.Condition);
        Assert.Contains("ping 10.42.0.1: no answer within 500 ms (overlay)", diagnosis.Evidence);
        Assert.Contains("trigger public-address-changed: public address now 192.0.2.2", diagnosis.Evidence);
        Assert.Contains("host conntrack: 1 udp flow(s) from port 4242, 0 leaving from another port (203.0.113.30:4242)", diagnosis.Evidence);
        Assert.Equal("tunnel silent while the upstream is up: its flows are stuck on the old path", diagnosis.Evidence[^1]);
    }

    [Fact]
    public async Task Upstream_down_needs_nothing()
    {
        var diagnosis = await Target().DiagnoseAsync(Trigger(HealReason.UpstreamRestored, up: false), Ct);

        Assert.Equal(HealCondition.UpstreamDown, diagnosis.Condition);
        Assert.Empty(_pinger.Pings);
    }

    [Fact]
    public async Task Nothing_bound_to_the_port_means_nebula_is_not_running_and_only_a_restart_applies()
    {
        var target = Target();
        Listening(false);

        var diagnosis = await target.DiagnoseAsync(Trigger(), Ct);

        Assert.Equal(HealCondition.Unhealthy, diagnosis.Condition);
        Assert.Equal("nothing is bound to udp port 4242 (/etc/nebula/config.yml): nebula is not running", Assert.Single(diagnosis.Evidence));
        Assert.Empty(_pinger.Pings);
        Assert.Equal([HealActionKind.Restart], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind));
    }

    [Fact]
    public async Task A_lighthouse_name_that_moved_is_peer_moved()
    {
        var target = Target();
        await target.DiagnoseAsync(Trigger(HealReason.Startup), Ct); // what nebula resolved at its start
        _pinger.Answer = _ => false;
        _resolver.Answers["lighthouse.example.net"] = [IPAddress.Parse("203.0.113.99")];

        var diagnosis = await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct);

        Assert.Equal(HealCondition.PeerMoved, diagnosis.Condition);
        Assert.Contains("static_host_map 10.42.0.1: lighthouse.example.net now resolves to 203.0.113.99, was 203.0.113.30", diagnosis.Evidence);
    }

    [Fact]
    public async Task A_restart_that_did_not_help_is_not_repeated_for_the_same_public_address()
    {
        var target = Target();
        _pinger.Answer = _ => false;
        var restart = target.Ladder.Single(a => a.Kind == HealActionKind.Restart);
        var first = await target.DiagnoseAsync(Trigger(), Ct);
        Assert.True(restart.AppliesTo(first));

        Assert.Equal("ran /usr/bin/systemctl restart nebula", await restart.RunAsync(Trigger(), Ct));
        Assert.False((await target.VerifyAsync(Trigger(), Ct)).Ok);
        _time.Advance(TimeSpan.FromMinutes(1));
        var again = await target.DiagnoseAsync(Trigger(HealReason.Retry), Ct);

        Assert.Equal(HealCondition.FlowPinned, again.Condition);
        Assert.Contains("restart not repeated: the one 60 s ago, for this same public address, did not bring the tunnel back", again.Evidence);
        Assert.False(restart.AppliesTo(again));

        // Ten minutes on, or once it worked in between, the guard lets go.
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(restart.AppliesTo(await target.DiagnoseAsync(Trigger(HealReason.Retry), Ct)));
        Assert.Single(_commands.Ran);
    }

    [Fact]
    public async Task A_failed_restart_command_is_a_failed_rung()
    {
        var target = Target();
        _commands.ExitCode = 1;

        var ex = await Assert.ThrowsAsync<HealActionException>(async () =>
            await target.Ladder.Single(a => a.Kind == HealActionKind.Restart).RunAsync(Trigger(), Ct));

        Assert.StartsWith("/usr/bin/systemctl restart nebula exited 1: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verification_is_any_answer_through_the_overlay()
    {
        var target = Target(restart: false);
        Assert.Equal([HealActionKind.HopPort], target.Ladder.Select(a => a.Kind));
        _pinger.Answer = _ => false;
        Assert.Equal("ping 10.42.0.1: no answer within 500 ms (overlay)", (await target.VerifyAsync(Trigger(), Ct)).Evidence);

        _pinger.Answer = _ => true;
        var check = await target.VerifyAsync(Trigger(), Ct);

        Assert.True(check.Ok);
        Assert.Equal("ping 10.42.0.1: answered in 1.5 ms (overlay)", check.Evidence);
    }

    [Fact]
    public async Task A_pinned_flow_is_healed_by_hopping_the_listen_port_and_the_rule_is_released_after_the_keep_time()
    {
        var target = Target();
        _pinger.Answer = _ => false;
        var trigger = Trigger();
        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.Equal([HealActionKind.HopPort, HealActionKind.Restart], target.Ladder.Where(a => a.AppliesTo(diagnosis)).Select(a => a.Kind));

        var line = await target.Ladder[0].RunAsync(trigger, Ct);

        Assert.Equal("udp sport 4242 masqueraded to 40000-40999; 3 entries deleted", line);
        var request = Assert.Single(_hopper.Hopped);
        Assert.Equal([4242], request.Ports);
        Assert.Equal(AddressFamily.InterNetwork, request.Family);
        Assert.Equal(NewPublic, request.PublicAddress);
        Assert.False((await target.VerifyAsync(trigger, Ct)).Ok);
        Assert.Equal(1, _hopper.Sweeps); // still silent: one more sweep of packets that leaked out of 4242

        _pinger.Answer = _ => true;
        Assert.True((await target.VerifyAsync(trigger, Ct)).Ok);
        await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct);
        Assert.Empty(_hopper.Released);
        _time.Advance(TimeSpan.FromSeconds(180));
        var later = await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct);

        Assert.Equal([4242], Assert.Single(_hopper.Released));
        Assert.Contains("released 4242", later.Evidence);
        Assert.Contains("cleaned", later.Evidence);
    }

    [Fact]
    public async Task Hop_port_that_does_not_apply_says_why_and_the_ladder_goes_on()
    {
        var target = Target();
        _hopper.NotApplicable = "the public address 192.0.2.2 is this host's own: no NAT upstream";

        var ex = await Assert.ThrowsAsync<HealActionNotApplicableException>(async () => await target.Ladder[0].RunAsync(Trigger(), Ct));

        Assert.Equal("the public address 192.0.2.2 is this host's own: no NAT upstream", ex.Message);
    }

    [Fact]
    public async Task A_table_left_by_an_earlier_run_is_found_at_the_first_look()
    {
        _hopper.State = new HopTableState(true, false, new HashSet<int> { 4242 }, new HashSet<int>(), new HashSet<int> { 4242 });

        var diagnosis = await Target().DiagnoseAsync(Trigger(HealReason.Startup), Ct);

        Assert.Contains("found table inet rebound_hop from an earlier run: active ipv4 [4242], ipv6 [], hopped [4242]", diagnosis.Evidence);
        Assert.Empty(_hopper.Released); // it keeps hopping for the keep time from now
    }

    private static ConntrackEntry Entry(ushort sourcePort, ushort replyPort) => new(
        2,
        new ConntrackTuple(IPAddress.Parse("10.77.0.2"), IPAddress.Parse("203.0.113.30"), ConntrackConstants.IpprotoUdp, sourcePort, 4242),
        new ConntrackTuple(IPAddress.Parse("203.0.113.30"), IPAddress.Parse("10.77.0.2"), ConntrackConstants.IpprotoUdp, 4242, replyPort),
        0,
        1,
        0);

    private sealed class FakePortHopper : IPortHopper
    {
        public List<HopRequest> Hopped { get; } = [];

        public List<IReadOnlyCollection<int>> Released { get; } = [];

        public int Sweeps { get; private set; }

        public string? NotApplicable { get; set; }

        public HopTableState State { get; set; } = HopTableState.Absent;

        public ValueTask<HopResult> HopAsync(HopRequest request, CancellationToken cancellationToken)
        {
            if (NotApplicable is { } reason)
                return ValueTask.FromResult(HopResult.NotApplicable(reason));
            Hopped.Add(request);
            return ValueTask.FromResult(new HopResult(true, null, 3, 1, 0, "udp sport 4242 masqueraded to 40000-40999; 3 entries deleted"));
        }

        public ValueTask<int> SweepAsync(IReadOnlyCollection<int> ports, AddressFamily family, CancellationToken cancellationToken)
        {
            Sweeps++;
            return ValueTask.FromResult(0);
        }

        public ValueTask<string> ReleaseAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken)
        {
            Released.Add(ports);
            return ValueTask.FromResult($"released {string.Join(",", ports)}");
        }

        public ValueTask<string?> CleanupAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<string?>(Released.Count > 0 ? "cleaned" : null);

        public ValueTask<HopTableState> InspectAsync(CancellationToken cancellationToken) => ValueTask.FromResult(State);

        public ValueTask<int> CountHealedAsync(IReadOnlyCollection<int> ports, CancellationToken cancellationToken) => ValueTask.FromResult(0);
    }
}
