using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rebound.Act.Commands;
using Rebound.Act.Heal;
using Rebound.Act.Remedies;
using Rebound.Act.Router;
using Rebound.Act.WireGuard;
using Rebound.Record;
using Rebound.Transport;

namespace Rebound.Act.Nebula;

/// <summary>
/// Keeps one Nebula node on this host working across failovers without touching nebula itself. A node on a fixed
/// <c>listen.port</c> behind a static-SNAT or mwan3-style router stays pinned to the dead uplink, and restarting it
/// does not help (same port, same 5-tuple, same router entry). Diagnosis: is anything bound to the port, do the
/// lighthouses (or <c>verify_ping</c>) answer through the overlay, did a static_host_map name move, what the host's
/// conntrack holds for the port. Ladder: <c>hop-port</c>, then <c>restart</c> when a command is configured.
/// </summary>
/// <remarks>
/// Nebula 1.6 offers nothing in between (its source): SIGHUP reloads the config but never re-binds the UDP socket
/// (listen.port is read once at start; the Linux listener's Rebind does nothing), re-resolves static_host_map names
/// only when that section's text changed, and restarts the lighthouse update only when lighthouse.interval changed.
/// Peers follow a node that sends from a new address on its next authenticated packet ("Host roamed to new udp
/// ip/port"), so once the flows leave from another port the verifying ping itself brings the tunnel back.
/// Nebula 1.7 and later re-resolve static_host_map names every static_map.cadence (30 s) by themselves.
/// </remarks>
public sealed class NebulaTarget : IHealTarget
{
    private readonly NebulaTargetOptions _options;
    private readonly IEchoPinger _pinger;
    private readonly IHostResolver _resolver;
    private readonly ProcSockets _sockets;
    private readonly Func<CancellationToken, ValueTask<IReadOnlyList<ConntrackEntry>>>? _hostConntrack;
    private readonly ICommandRunner _commands;
    private readonly IPortHopper _hopper;
    private readonly HopKeeper _hops;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, HashSet<IPAddress>> _resolvedAtStart = new(StringComparer.OrdinalIgnoreCase);
    private bool _listening = true;
    private bool _baselineTaken;
    private bool _restartGuarded;
    private (DateTimeOffset At, IPAddress? Public)? _lastRestart;

    /// <param name="hopper">The hop-port remedy (Act/Remedies) for the listen port.</param>
    /// <param name="hostConntrack">The host's conntrack entries, for the diagnosis' evidence; null: not read.</param>
    public NebulaTarget(
        NebulaTargetOptions options,
        IEchoPinger pinger,
        IHostResolver resolver,
        ProcSockets sockets,
        TimeProvider timeProvider,
        IPortHopper hopper,
        Func<CancellationToken, ValueTask<IReadOnlyList<ConntrackEntry>>>? hostConntrack = null,
        ICommandRunner? commands = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _hopper = hopper ?? throw new ArgumentNullException(nameof(hopper));
        _options = options;
        _pinger = pinger ?? throw new ArgumentNullException(nameof(pinger));
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _sockets = sockets ?? throw new ArgumentNullException(nameof(sockets));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _hops = new HopKeeper(_hopper, _time, options.HopKeep);
        _hostConntrack = hostConntrack;
        _commands = commands ?? new ProcessCommandRunner(timeProvider);
        var ladder = new List<IHealAction> { new HopPortAction(this) };
        if (options.RestartCommand is { Count: > 0 })
            ladder.Add(new RestartAction(this));
        Ladder = ladder;
    }

    /// <summary>The target for a <c>[[nebula]]</c> entry: raw ICMP through the overlay, the system resolver, ctnetlink, /proc.</summary>
    public static NebulaTarget Create(NebulaTargetOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var table = new NetlinkConntrackTable(timeProvider: timeProvider);
        return new NebulaTarget(
            options,
            new IcmpEchoPinger(timeProvider),
            new SystemHostResolver(timeProvider, TimeSpan.FromSeconds(1)),
            new ProcSockets(),
            timeProvider,
            new PortHopper(timeProvider: timeProvider, conntrack: new NetlinkHostConntrack(table)),
            table.ListAsync);
    }

    public string Name => _options.Name;

    public IReadOnlyList<IHealAction> Ladder { get; }

    public TimeSpan VerifyDeadline => _options.VerifyDeadline;

    public TimeSpan VerifyInterval => _options.VerifyInterval;

    /// <summary>The UDP port nebula listens on, from its config.</summary>
    public int ListenPort => _options.Config.ListenPort;

    public bool Wants(HealTrigger trigger) => true;

    public async ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var evidence = new List<string>();
        if (!trigger.UpstreamUp)
        {
            evidence.Add($"upstream down ({trigger.Reason.ToName()}): nothing to heal yet");
            return new HealDiagnosis(HealCondition.UpstreamDown, evidence);
        }

        var port = _options.Config.ListenPort;
        var bound = _sockets.Udp(port);
        _listening = bound.Count > 0;
        if (!_listening)
        {
            evidence.Add($"nothing is bound to udp port {port} ({_options.Config.Path}): nebula is not running");
            NoteRestartGuard(trigger, evidence);
            return new HealDiagnosis(HealCondition.Unhealthy, evidence);
        }

        if (!_baselineTaken)
        {
            // The first look (at the agent's start) stands for what nebula resolved at its own start.
            _baselineTaken = true;
            await RememberResolutionsAsync(cancellationToken).ConfigureAwait(false);
        }

        evidence.Add($"udp port {port}: {bound.Count} socket(s) bound ({string.Join(", ", bound.Select(b => b.Local).Distinct().Take(3))})");
        var (answered, lines) = await PingAllAsync(cancellationToken).ConfigureAwait(false);
        evidence.AddRange(lines);
        if (answered)
        {
            _lastRestart = null;
            await _hops.TidyAsync([_options.Config.ListenPort], evidence, cancellationToken).ConfigureAwait(false);
            return new HealDiagnosis(HealCondition.Healthy, evidence);
        }

        if (trigger.Reason is HealReason.PublicAddressChanged or HealReason.UpstreamRestored)
            evidence.Add($"trigger {trigger.Reason.ToName()}: public address now {trigger.PublicIpv4?.ToString() ?? trigger.PublicIpv6?.ToString() ?? "unknown"}");

        if (await FindMovedHostsAsync(evidence, cancellationToken).ConfigureAwait(false))
        {
            evidence.Add("nebula 1.6 resolves static_host_map names only at start: a restart picks up the new address");
            NoteRestartGuard(trigger, evidence);
            return new HealDiagnosis(HealCondition.PeerMoved, evidence);
        }

        await AddConntrackEvidenceAsync(port, evidence, cancellationToken).ConfigureAwait(false);
        evidence.Add("tunnel silent while the upstream is up: its flows are stuck on the old path");
        NoteRestartGuard(trigger, evidence);
        return new HealDiagnosis(HealCondition.FlowPinned, evidence);
    }

    public async ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var (answered, lines) = await PingAllAsync(cancellationToken).ConfigureAwait(false);
        if (answered)
            _lastRestart = null;
        else if (_hops.Active)
        {
            // Packets that left from the old port anyway (sent between the rule and the delete) refresh the pinned entry.
            try
            {
                var swept = await _hopper.SweepAsync([_options.Config.ListenPort], AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
                if (swept > 0)
                    lines.Add($"swept {swept} untranslated entr{(swept == 1 ? "y" : "ies")} of port {_options.Config.ListenPort} again");
            }
            catch (HopPortException ex)
            {
                lines.Add($"sweep failed: {ex.Message}");
            }
        }
        return new HealCheck(answered, answered ? string.Join("; ", lines.Where(l => l.Contains("answered", StringComparison.Ordinal))) : string.Join("; ", lines));
    }

    /// <summary>Pings every target at once; any answer means the overlay works.</summary>
    private async ValueTask<(bool Answered, List<string> Lines)> PingAllAsync(CancellationToken cancellationToken)
    {
        var targets = _options.PingTargets;
        var pings = targets.Select(a => _pinger.PingAsync(a, _options.PingTimeout, cancellationToken).AsTask()).ToList();
        var results = await Task.WhenAll(pings).ConfigureAwait(false);
        var lines = new List<string>();
        for (var i = 0; i < targets.Count; i++)
            lines.Add(results[i].Describe(targets[i], _options.PingTimeout) + " (overlay)");
        return (results.Any(r => r.Answered), lines);
    }

    /// <summary>
    /// Resolves the static_host_map names of the pinged hosts; true when one now resolves to none of the addresses it
    /// had the first time (nebula resolved it at its start, about then).
    /// </summary>
    private async ValueTask<bool> FindMovedHostsAsync(List<string> evidence, CancellationToken cancellationToken)
    {
        var moved = false;
        foreach (var (overlay, targets) in _options.Config.StaticHostMap)
        {
            if (!_options.PingTargets.Contains(overlay))
                continue;
            foreach (var target in targets)
            {
                if (!TrySplitHost(target, out var host) || IPAddress.TryParse(host, out _))
                    continue;
                var now = (await _resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false)).ToHashSet();
                if (now.Count == 0)
                {
                    evidence.Add($"resolve {host} ({overlay}): no address");
                    continue;
                }

                if (!_resolvedAtStart.TryGetValue(host, out var before))
                {
                    _resolvedAtStart[host] = now;
                    continue;
                }

                if (!now.Overlaps(before))
                {
                    evidence.Add($"static_host_map {overlay}: {host} now resolves to {string.Join(", ", now)}, was {string.Join(", ", before)}");
                    moved = true;
                }
            }
        }

        return moved;
    }

    /// <summary>Takes the first look at the static_host_map names (what nebula resolved at its start).</summary>
    internal async ValueTask RememberResolutionsAsync(CancellationToken cancellationToken)
    {
        _resolvedAtStart.Clear();
        await FindMovedHostsAsync([], cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AddConntrackEvidenceAsync(int port, List<string> evidence, CancellationToken cancellationToken)
    {
        if (_hostConntrack is null)
            return;
        try
        {
            var entries = (await _hostConntrack(cancellationToken).ConfigureAwait(false))
                .Where(e => e.Original.Protocol == ConntrackConstants.IpprotoUdp && e.Original.SourcePort == port).ToList();
            if (entries.Count == 0)
            {
                evidence.Add($"host conntrack: no udp flow from port {port} tracked (nothing on this host translates it)");
                return;
            }

            var translated = entries.Count(e => e.Reply.DestinationPort != port);
            evidence.Add($"host conntrack: {entries.Count} udp flow(s) from port {port}, {translated} leaving from another port"
                + $" ({string.Join(", ", entries.Take(3).Select(e => $"{e.Original.Destination}:{e.Original.DestinationPort}"))})");
        }
        catch (ConntrackException ex)
        {
            evidence.Add($"host conntrack not read: {ex.Message}");
        }
    }

    /// <summary>The loop guard: a restart that did not bring the tunnel back is not repeated for the same public address.</summary>
    private void NoteRestartGuard(HealTrigger trigger, List<string> evidence)
    {
        _restartGuarded = false;
        if (_options.RestartCommand is null || _lastRestart is not { } last)
            return;
        var since = _time.GetUtcNow() - last.At;
        if (since < _options.RestartGuard && Equals(last.Public, trigger.PublicIpv4 ?? trigger.PublicIpv6))
        {
            _restartGuarded = true;
            evidence.Add($"restart not repeated: the one {Seconds(since)} ago, for this same public address, did not bring the tunnel back");
        }
    }

    private static bool TrySplitHost(string hostPort, out string host)
    {
        host = "";
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0)
            return false;
        host = hostPort[..colon].Trim('[', ']');
        return host.Length > 0;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s";

    /// <summary>
    /// The listen port's flows leave from another source port (Rebound's nftables table, the host's conntrack entries
    /// of the port deleted): a new flow for the router, on the live WAN; the peers roam to it on the next packet.
    /// </summary>
    private sealed class HopPortAction(NebulaTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.HopPort;

        public bool IsRestart => false;

        /// <summary>Not for a nebula that is not running (nothing to hop) or a lighthouse that moved (only a restart re-resolves it).</summary>
        public bool AppliesTo(HealDiagnosis diagnosis) =>
            diagnosis?.Condition is HealCondition.FlowPinned or HealCondition.AddressChanged
            || (diagnosis?.Condition == HealCondition.Unhealthy && target._listening);

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var family = target._options.Config.ListenHost.Contains(':', StringComparison.Ordinal) && trigger.PublicIpv4 is null
                ? AddressFamily.InterNetworkV6
                : AddressFamily.InterNetwork;
            var result = await HopPortStep.RunAsync(
                target._hopper,
                new HopRequest([target._options.Config.ListenPort], family, family == AddressFamily.InterNetwork ? trigger.PublicIpv4 : trigger.PublicIpv6),
                cancellationToken).ConfigureAwait(false);
            target._hops.NoteHop();
            return result.Detail;
        }
    }

    /// <summary>The configured restart command: last resort, counted against the restart budget and guarded against loops.</summary>
    private sealed class RestartAction(NebulaTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Restart;

        public bool IsRestart => true;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.NeedsHealing == true && !target._restartGuarded;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var argv = target._options.RestartCommand!;
            target._lastRestart = (target._time.GetUtcNow(), trigger.PublicIpv4 ?? trigger.PublicIpv6);
            var detail = await RestartCommandStep.RunAsync(target._commands, argv, target._options.RestartTimeout, cancellationToken).ConfigureAwait(false);
            // The restarted nebula resolved its static_host_map names again: that is the new baseline.
            await target.RememberResolutionsAsync(cancellationToken).ConfigureAwait(false);
            return detail;
        }
    }
}
