using System.Net.Sockets;
using Rebound.Act.Commands;
using Rebound.Act.Heal;
using Rebound.Act.Remedies;
using Rebound.Act.Router;
using Rebound.Act.WireGuard;
using Rebound.Record;
using Rebound.Transport;

namespace Rebound.Act.Flow;

/// <summary>
/// Keeps the flows of a UDP daemon Rebound knows nothing about working across failovers (<c>[[flow]]</c>): its fixed
/// local ports are hopped to a new source port (<see cref="IPortHopper"/>), its dead TCP connections reset
/// (<see cref="ITcpResetter"/>), and it is restarted last. Diagnosis: <c>verify_ping</c> when given, else the host's
/// conntrack (does the flow from the port see replies; after a confirmed address change an old entry is suspect) and
/// whether a socket holds the port. Between heals it keeps the hop tidy: new flows stop being hopped
/// <see cref="FlowTargetOptions.HopKeep"/> after the hop, and the table goes once no healed flow is left.
/// </summary>
public sealed class FlowTarget : IHealTarget
{
    /// <summary>IPS_SEEN_REPLY: the entry has seen a packet in the reply direction.</summary>
    private const uint StatusSeenReply = 1 << 1;

    private readonly FlowTargetOptions _options;
    private readonly IPortHopper _hopper;
    private readonly IHostConntrack _conntrack;
    private readonly ITcpResetter _resetter;
    private readonly IEchoPinger _pinger;
    private readonly ICommandRunner _commands;
    private readonly TimeProvider _time;
    private readonly Func<int, bool> _udpPortBound;
    private readonly HopKeeper _hops;
    private DateTimeOffset? _changedAt;

    public FlowTarget(
        FlowTargetOptions options,
        IPortHopper hopper,
        IHostConntrack conntrack,
        ITcpResetter resetter,
        IEchoPinger pinger,
        TimeProvider timeProvider,
        ICommandRunner? commands = null,
        Func<int, bool>? udpPortBound = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _hopper = hopper ?? throw new ArgumentNullException(nameof(hopper));
        _conntrack = conntrack ?? throw new ArgumentNullException(nameof(conntrack));
        _resetter = resetter ?? throw new ArgumentNullException(nameof(resetter));
        _pinger = pinger ?? throw new ArgumentNullException(nameof(pinger));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _hops = new HopKeeper(_hopper, _time, options.HopKeep);
        _commands = commands ?? new ProcessCommandRunner(timeProvider);
        _udpPortBound = udpPortBound ?? IsUdpPortBound;
        var ladder = new List<IHealAction>();
        if (options.LocalPorts.Count > 0)
            ladder.Add(new HopPortAction(this));
        if (options.ResetTcpPorts.Count > 0)
            ladder.Add(new ResetTcpAction(this));
        if (options.RestartCommand is { Count: > 0 })
            ladder.Add(new RestartAction(this));
        Ladder = ladder;
    }

    /// <summary>The target for a <c>[[flow]]</c> entry on this host: nft, ctnetlink, sock_diag, raw ICMP.</summary>
    public static FlowTarget Create(FlowTargetOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var conntrack = new NetlinkHostConntrack(new NetlinkConntrackTable(timeProvider: timeProvider));
        return new FlowTarget(options, new PortHopper(timeProvider: timeProvider, conntrack: conntrack), conntrack,
            new SockDiagTcpResetter(timeProvider: timeProvider), new IcmpEchoPinger(timeProvider), timeProvider);
    }

    public string Name => "flow:" + _options.Name;

    public IReadOnlyList<IHealAction> Ladder { get; }

    public TimeSpan VerifyDeadline => _options.VerifyDeadline;

    public TimeSpan VerifyInterval => _options.VerifyInterval;

    public bool Wants(HealTrigger trigger) => true;

    private string Ports => string.Join(",", _options.LocalPorts);

    public async ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var evidence = new List<string>();
        var addressEvent = trigger.Reason is HealReason.PublicAddressChanged or HealReason.UpstreamRestored;
        if (addressEvent)
            _changedAt = trigger.DetectedAt;
        if (_options.LocalPorts.Count > 0)
            await _hops.TidyAsync(_options.LocalPorts, evidence, cancellationToken).ConfigureAwait(false);
        if (!trigger.UpstreamUp)
        {
            evidence.Add($"upstream down ({trigger.Reason.ToName()}): nothing to heal yet");
            return new HealDiagnosis(HealCondition.UpstreamDown, evidence);
        }

        var broken = false;
        if (_options.LocalPorts.Count > 0)
            broken |= await UdpBrokenAsync(addressEvent, evidence, cancellationToken).ConfigureAwait(false);
        if (_changedAt is { } old && _time.GetUtcNow() - old > TcpWatchWindow)
            _changedAt = null; // long after the change, unacknowledged data says nothing about it
        if (_options.ResetTcpPorts.Count > 0 && _changedAt is { } changedAt)
        {
            var found = await TcpAsync(changedAt, dryRun: true, cancellationToken).ConfigureAwait(false);
            evidence.Add(found.Line);
            // Right after the change every connection opened before it is suspect: a reply in flight at the switch can
            // still arrive, and the next request then dies. The ladder's verification watches them until each proves
            // alive or dead.
            broken |= found.Dead > 0 || (addressEvent && found.Matched > 0);
        }

        if (!broken)
            return new HealDiagnosis(HealCondition.Healthy, evidence);
        return new HealDiagnosis(addressEvent ? HealCondition.AddressChanged : HealCondition.FlowPinned, evidence);
    }

    public async ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var lines = new List<string>();
        var ok = true;
        if (_options.LocalPorts.Count > 0)
        {
            if (_options.VerifyPing.Count > 0)
            {
                var answered = false;
                foreach (var address in _options.VerifyPing)
                {
                    var ping = await _pinger.PingAsync(address, _options.PingTimeout, cancellationToken).ConfigureAwait(false);
                    lines.Add(ping.Describe(address, _options.PingTimeout));
                    if (answered = ping.Answered)
                        break;
                }

                ok &= answered;
            }
            else
            {
                var check = await RepliesAsync(cancellationToken).ConfigureAwait(false);
                lines.Add(check.Evidence);
                ok &= check.Ok;
            }
        }

        if (_options.ResetTcpPorts.Count > 0 && _changedAt is { } changedAt)
        {
            // Connections found dead now are destroyed here too, as hop-port's leaks are swept.
            var found = await TcpAsync(changedAt, dryRun: false, cancellationToken).ConfigureAwait(false);
            var settled = _time.GetUtcNow() - changedAt >= TcpSettle;
            lines.Add(found.Line + (settled ? "" : $"; watching until {ConfigDurationText(TcpSettle)} after the change"));
            ok &= found.Dead == 0 && found.Undecided == 0 && settled;
        }

        return new HealCheck(ok, string.Join("; ", lines));
    }

    private async ValueTask<bool> UdpBrokenAsync(bool addressEvent, List<string> evidence, CancellationToken cancellationToken)
    {
        if (_options.VerifyPing.Count > 0)
        {
            var address = _options.VerifyPing[0];
            var ping = await _pinger.PingAsync(address, _options.PingTimeout, cancellationToken).ConfigureAwait(false);
            evidence.Add(ping.Describe(address, _options.PingTimeout));
            return !ping.Answered;
        }

        IReadOnlyList<ConntrackEntry> entries;
        try
        {
            entries = await _conntrack.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConntrackException ex)
        {
            entries = [];
            evidence.Add($"host conntrack not readable ({ex.Message})");
        }

        var outbound = Outbound(entries);
        var bound = _options.LocalPorts.Where(_udpPortBound).ToList();
        evidence.Add($"udp port {Ports}: {outbound.Count} flow(s) in the host's conntrack ({outbound.Count(e => (e.Status & StatusSeenReply) != 0)} with replies), "
            + (bound.Count > 0 ? $"port {string.Join(",", bound)} bound" : "no socket bound"));
        if (outbound.Count == 0 && bound.Count == 0)
            return false; // no daemon, nothing to heal
        if (addressEvent)
        {
            // A flow made before the change keeps its NAT entry upstream; static SNAT or a connection mark pins it to
            // the old WAN, and nothing on this host can see the router's entry. A hop costs the flow one new port.
            evidence.Add("the public address changed under a flow from a fixed port: its upstream NAT entry may be pinned to the old WAN");
            return true;
        }

        if (outbound.Count > 0 && outbound.All(e => (e.Status & StatusSeenReply) == 0))
        {
            evidence.Add("the flow sends but sees no replies while the upstream is up");
            return true;
        }

        return false;
    }

    /// <summary>The flow sees replies again: a hopped entry of the port has a reply; untranslated leaks are swept.</summary>
    private async ValueTask<HealCheck> RepliesAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ConntrackEntry> entries;
        try
        {
            entries = await _conntrack.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConntrackException ex)
        {
            return new HealCheck(false, $"host conntrack not readable ({ex.Message})");
        }

        var healed = PortHopper.Healed(entries, _options.LocalPorts.ToList());
        var replied = healed.Where(e => (e.Status & StatusSeenReply) != 0).ToList();
        var leaking = PortHopper.Untranslated(entries, _options.LocalPorts.ToList(), AddressFamily.InterNetwork);
        var line = replied.Count > 0
            ? $"udp port {Ports}: {replied.Count} hopped flow(s) see replies again (now from port {string.Join(",", replied.Select(e => e.Reply.DestinationPort).Distinct())})"
            : $"udp port {Ports}: {healed.Count} hopped flow(s), none answered yet";
        if (leaking.Count > 0)
        {
            try
            {
                var swept = await _hopper.SweepAsync(_options.LocalPorts.ToList(), AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
                line += $"; {leaking.Count} untranslated (leaking from the old port), {swept} deleted";
            }
            catch (HopPortException ex)
            {
                line += $"; {leaking.Count} untranslated, sweep failed: {ex.Message}";
            }
        }

        return new HealCheck(replied.Count > 0 && leaking.Count == 0, line);
    }

    private List<ConntrackEntry> Outbound(IEnumerable<ConntrackEntry> entries) =>
        [.. entries.Where(e => e.Original.Protocol == ConntrackConstants.IpprotoUdp && _options.LocalPorts.Contains(e.Original.SourcePort))];

    /// <summary>Connections opened before the change get this long to show they are alive before the heal is verified.</summary>
    private static readonly TimeSpan TcpSettle = TimeSpan.FromSeconds(2);

    /// <summary>After this long, the change no longer explains a connection's silence.</summary>
    private static readonly TimeSpan TcpWatchWindow = TimeSpan.FromMinutes(2);

    private static string ConfigDurationText(TimeSpan value) => Configuration.ConfigDuration.Format(value);

    private async ValueTask<(int Dead, int Undecided, int Matched, string Line)> TcpAsync(DateTimeOffset changedAt, bool dryRun, CancellationToken cancellationToken)
    {
        var ports = string.Join(",", _options.ResetTcpPorts);
        try
        {
            var r = await _resetter.ResetAsync(new TcpResetRequest(changedAt) { RemotePorts = _options.ResetTcpPorts, DryRun = dryRun }, cancellationToken).ConfigureAwait(false);
            var line = r.Destroyed.Count == 0
                ? $"tcp to port {ports}: none dead ({r.Matched} open, {r.Undecided} waiting for an ACK)"
                : $"tcp to port {ports}: {r.Destroyed.Count} dead{(dryRun ? "" : ", destroyed")}: {string.Join("; ", r.Destroyed)}";
            return (r.Destroyed.Count, r.Undecided, r.Matched, line);
        }
        catch (TcpResetException ex)
        {
            return (0, 0, 0, $"tcp connections not readable: {ex.Message}");
        }
    }

    private static bool IsUdpPortBound(int port) => new ProcSockets().Udp(port).Count > 0;

    private sealed class HopPortAction(FlowTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.HopPort;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.NeedsHealing == true;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var result = await HopPortStep.RunAsync(
                target._hopper, new HopRequest(target._options.LocalPorts.ToList(), AddressFamily.InterNetwork, trigger.PublicIpv4), cancellationToken).ConfigureAwait(false);
            target._hops.NoteHop();
            return result.Detail;
        }
    }

    private sealed class ResetTcpAction(FlowTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.ResetTcp;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.NeedsHealing == true;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            if (target._changedAt is not { } changedAt)
                throw new HealActionNotApplicableException("no confirmed address change: no connection can be known dead");
            try
            {
                var result = await target._resetter.ResetAsync(new TcpResetRequest(changedAt) { RemotePorts = target._options.ResetTcpPorts }, cancellationToken).ConfigureAwait(false);
                return result.Describe();
            }
            catch (TcpResetException ex)
            {
                throw new HealActionException(ex.Message, ex);
            }
        }
    }

    private sealed class RestartAction(FlowTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Restart;

        public bool IsRestart => true;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.NeedsHealing == true;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var argv = target._options.RestartCommand!;
            return await RestartCommandStep.RunAsync(target._commands, argv, target._options.RestartTimeout, cancellationToken).ConfigureAwait(false);
        }
    }
}
