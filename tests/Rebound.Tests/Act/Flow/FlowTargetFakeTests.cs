using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rebound.Act.Flow;
using Rebound.Act.Heal;
using Rebound.Act.Remedies;
using Rebound.Act.Router;
using Rebound.Tests.Act.Remedies;
using Rebound.Tests.Act.WireGuard;

namespace Rebound.Tests.Act.Flow;

/// <summary><see cref="FlowTarget"/> against fakes of the hopper, the host conntrack and sock_diag (the real ones: the lab tests in tests/Rebound.Lab.Tests/Heal).</summary>
public sealed class FlowTargetFakeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly IPAddress Lan = IPAddress.Parse("10.77.0.2");
    private static readonly IPAddress Echo = IPAddress.Parse("203.0.113.40");
    private static readonly IPAddress Wan2 = IPAddress.Parse("192.0.2.2");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.Zero));
    private readonly FakePortHopper _hopper = new();
    private readonly FakeHostConntrack _conntrack = new();
    private readonly FakeTcpResetter _resetter = new();
    private bool _bound = true;

    private FlowTarget Target(FlowTargetOptions? options = null) =>
        new(options ?? new FlowTargetOptions { Name = "echo", LocalPorts = [4242], HopKeep = TimeSpan.FromSeconds(10) },
            _hopper, _conntrack, _resetter, new FakeEchoPinger(), _time, udpPortBound: _ => _bound);

    private HealTrigger Trigger(HealReason reason) => new(_time.GetUtcNow(), reason, null, Wan2, null, UpstreamUp: true, null, null);

    private static ConntrackEntry Udp(uint id, ushort translatedTo, bool replied) =>
        new(ConntrackConstants.AfInet,
            new ConntrackTuple(Lan, Echo, ConntrackConstants.IpprotoUdp, 4242, 7),
            new ConntrackTuple(Echo, Lan, ConntrackConstants.IpprotoUdp, 7, translatedTo),
            (translatedTo != 4242 ? ConntrackConstants.StatusSrcNat : 0) | (replied ? 2u : 0u), id, 0);

    [Fact]
    public async Task An_address_change_under_a_bound_port_is_healed_by_hop_port_and_verified_by_replies()
    {
        var target = Target();
        var trigger = Trigger(HealReason.PublicAddressChanged);

        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.Equal(HealCondition.AddressChanged, diagnosis.Condition);
        Assert.Contains(diagnosis.Evidence, l => l.Contains("port 4242 bound", StringComparison.Ordinal));

        var hop = target.Ladder[0];
        Assert.Equal(HealActionKind.HopPort, hop.Kind);
        Assert.Contains("masqueraded", await hop.RunAsync(trigger, Ct), StringComparison.Ordinal);
        Assert.Equal((IReadOnlyCollection<int>)[4242], _hopper.Hopped.Single().Ports);
        Assert.Equal(Wan2, _hopper.Hopped.Single().PublicAddress);

        _conntrack.Entries.Add(Udp(1, 40017, replied: false));
        Assert.False((await target.VerifyAsync(trigger, Ct)).Ok);
        _conntrack.Entries[0] = Udp(1, 40017, replied: true);
        var check = await target.VerifyAsync(trigger, Ct);
        Assert.True(check.Ok, check.Evidence);
        Assert.Contains("see replies again (now from port 40017)", check.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_leak_from_the_old_port_is_swept_and_not_verified()
    {
        var target = Target();
        _conntrack.Entries.Add(Udp(1, 40017, replied: true));
        _conntrack.Entries.Add(Udp(2, 4242, replied: false));

        var check = await target.VerifyAsync(Trigger(HealReason.PublicAddressChanged), Ct);

        Assert.False(check.Ok);
        Assert.Contains("1 untranslated (leaking from the old port)", check.Evidence, StringComparison.Ordinal);
        Assert.Equal(1, _hopper.Sweeps);
    }

    [Fact]
    public async Task Not_applicable_hops_say_why_and_no_socket_means_nothing_to_heal()
    {
        _hopper.NotApplicable = "no NAT upstream: the public address 192.0.2.2 is the host's own";
        var target = Target();
        var ex = await Assert.ThrowsAsync<HealActionNotApplicableException>(async () => await target.Ladder[0].RunAsync(Trigger(HealReason.PublicAddressChanged), Ct));
        Assert.Equal(_hopper.NotApplicable, ex.Message);

        _bound = false;
        Assert.Equal(HealCondition.Healthy, (await Target().DiagnoseAsync(Trigger(HealReason.PublicAddressChanged), Ct)).Condition);
    }

    [Fact]
    public async Task A_periodic_check_finds_a_flow_without_replies_and_leaves_a_replied_one_alone()
    {
        var target = Target();
        _conntrack.Entries.Add(Udp(1, 4242, replied: false));
        Assert.Equal(HealCondition.FlowPinned, (await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct)).Condition);

        _conntrack.Entries[0] = Udp(1, 40017, replied: true);
        Assert.Equal(HealCondition.Healthy, (await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct)).Condition);
    }

    [Fact]
    public async Task The_hop_is_released_after_hop_keep_and_the_table_cleaned_up()
    {
        var target = Target();
        var trigger = Trigger(HealReason.PublicAddressChanged);
        await target.DiagnoseAsync(trigger, Ct);
        await target.Ladder[0].RunAsync(trigger, Ct);

        _time.Advance(TimeSpan.FromSeconds(9));
        await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct);
        Assert.Empty(_hopper.Released);

        _time.Advance(TimeSpan.FromSeconds(1));
        var diagnosis = await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct);
        Assert.Equal((IReadOnlyCollection<int>)[4242], Assert.Single(_hopper.Released));
        Assert.Contains("released 4242", diagnosis.Evidence);
        Assert.Contains("cleaned", diagnosis.Evidence);
    }

    [Fact]
    public async Task A_killed_runs_active_rule_is_found_at_start_and_released_after_hop_keep()
    {
        _hopper.State = new HopTableState(true, false, new HashSet<int> { 4242 }, new HashSet<int>(), new HashSet<int> { 4242 });
        var target = Target();

        var first = await target.DiagnoseAsync(Trigger(HealReason.Startup), Ct);
        Assert.Contains(first.Evidence, l => l.StartsWith("found table inet rebound_hop from an earlier run: active ipv4 [4242]", StringComparison.Ordinal));
        Assert.Empty(_hopper.Released);

        _time.Advance(TimeSpan.FromSeconds(10));
        await target.DiagnoseAsync(Trigger(HealReason.Periodic), Ct);
        Assert.Single(_hopper.Released);
    }

    [Fact]
    public async Task Reset_tcp_destroys_the_connections_silent_since_the_change()
    {
        var target = Target(new FlowTargetOptions { Name = "poll", ResetTcpPorts = [443] });
        var trigger = Trigger(HealReason.PublicAddressChanged);
        _resetter.Stale = [new DestroyedConnection(IPEndPoint.Parse("10.77.0.2:50000"), IPEndPoint.Parse("203.0.113.80:443"), new SocketOwner(77, "curl"), TimeSpan.FromSeconds(3))];

        var diagnosis = await target.DiagnoseAsync(trigger, Ct);
        Assert.True(diagnosis.NeedsHealing);
        var reset = Assert.Single(target.Ladder);
        Assert.Equal(HealActionKind.ResetTcp, reset.Kind);

        var line = await reset.RunAsync(trigger, Ct);
        Assert.Equal("destroyed 1: tcp 10.77.0.2:50000 -> 203.0.113.80:443 (pid 77 (curl), silent 3.0 s)", line);
        var request = Assert.Single(_resetter.Requests, r => !r.DryRun);
        Assert.Equal(trigger.DetectedAt, request.ChangedAt);
        Assert.Equal([443], request.RemotePorts);
        var early = await target.VerifyAsync(trigger, Ct);
        Assert.False(early.Ok); // connections opened before the change get 2 s to prove themselves
        Assert.Contains("watching until 2s after the change", early.Evidence, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await target.VerifyAsync(trigger, Ct)).Ok);
    }

    [Fact]
    public async Task Right_after_a_change_a_connection_still_heard_from_is_watched_and_one_found_dead_while_verifying_is_destroyed()
    {
        var target = Target(new FlowTargetOptions { Name = "poll", ResetTcpPorts = [443] });
        var trigger = Trigger(HealReason.PublicAddressChanged);
        _resetter.MatchedAlive = 1; // a reply in flight at the switch arrived after the change was confirmed

        Assert.True((await target.DiagnoseAsync(trigger, Ct)).NeedsHealing);
        Assert.Equal("no connection to reset (1 matched, 1 heard from since the change)", await target.Ladder[0].RunAsync(trigger, Ct));

        // Its next request goes unanswered: the verification finds it dead and destroys it.
        _resetter.Stale = [new DestroyedConnection(IPEndPoint.Parse("10.77.0.2:50000"), IPEndPoint.Parse("203.0.113.80:443"), null, TimeSpan.FromSeconds(1.6))];
        _time.Advance(TimeSpan.FromSeconds(2));
        var check = await target.VerifyAsync(trigger, Ct);
        Assert.False(check.Ok);
        Assert.Contains("1 dead, destroyed: tcp 10.77.0.2:50000 -> 203.0.113.80:443", check.Evidence, StringComparison.Ordinal);
        Assert.True((await target.VerifyAsync(trigger, Ct)).Ok);
    }

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
            return ValueTask.FromResult(new HopResult(true, null, 1, 2, 0, "udp sport 4242 masqueraded"));
        }

        public ValueTask<int> SweepAsync(IReadOnlyCollection<int> ports, AddressFamily family, CancellationToken cancellationToken)
        {
            Sweeps++;
            return ValueTask.FromResult(1);
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

    private sealed class FakeTcpResetter : ITcpResetter
    {
        public List<DestroyedConnection> Stale { get; set; } = [];

        public int MatchedAlive { get; set; }

        public List<TcpResetRequest> Requests { get; } = [];

        public ValueTask<TcpResetResult> ResetAsync(TcpResetRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            var found = Stale;
            if (!request.DryRun)
                Stale = [];
            return ValueTask.FromResult(new TcpResetResult(found, found.Count + MatchedAlive, MatchedAlive, 0));
        }
    }
}
