using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rebound.Act.Heal;
using Rebound.Act.Remedies;
using Rebound.Act.Systemd;
using Rebound.Transport;

namespace Rebound.Act.Tailscale;

/// <summary>
/// Keeps tailscaled working after the upstream changes, judged from its LocalAPI status. tailscaled keeps its UDP
/// port across <c>rebind</c>, <c>restun</c> and restarts (magicsock <c>bindSocket</c>: the configured port, then the
/// current one), so behind static SNAT or mwan3-style connection marks its direct paths stay pinned to the dead uplink;
/// its control long-poll and DERP reader wait 120 s before they notice a dead connection. Ladder: <c>reset-tcp</c> on
/// tailscaled's TCP connections (control and DERP reconnect at once), <c>hop-port</c> on its UDP port (the flows leave
/// from another source port, then a <c>restun</c> so it advertises the new endpoint), and a restart last, not
/// repeated for the same public address when it did not bring a pinned direct path back.
/// </summary>
public sealed class TailscaleTarget : IHealTarget, IAsyncDisposable
{
    /// <summary>magicsock trusts a direct address this long after its last pong (<c>trustUDPAddrDuration</c>).</summary>
    public static readonly TimeSpan TrustUdpAddr = TimeSpan.FromMilliseconds(6500);

    /// <summary>After this long, the change no longer explains a connection's silence.</summary>
    private static readonly TimeSpan TcpWatchWindow = TimeSpan.FromMinutes(2);

    private readonly TailscaleLocalClient _client;
    private readonly TailscaleTargetOptions _options;
    private readonly IPortHopper? _hopper;
    private readonly ITcpResetter? _resetter;
    private readonly ProcSockets _sockets;
    private readonly TimeProvider _time;
    private readonly HopKeeper? _hops;
    private readonly HashSet<string> _wasDirect = new(StringComparer.Ordinal);
    private volatile bool _daemonUnreachable;
    private int? _pid;
    private IReadOnlyList<int> _ports = [];
    private DateTimeOffset? _changedAt;
    private int _reset;
    private HealActionKind? _lastRung;
    private bool _restartGuarded;
    private (DateTimeOffset At, IPAddress? Public)? _lastPinnedRestart;
    private bool _pinned;

    /// <param name="hopper">hop-port on tailscaled's UDP port; null: no such rung.</param>
    /// <param name="resetter">reset-tcp on tailscaled's TCP connections; null: no such rung.</param>
    /// <param name="sockets">Where tailscaled's UDP sockets are found.</param>
    public TailscaleTarget(
        TailscaleLocalClient client,
        IUnitRestarter restarter,
        TailscaleTargetOptions? options = null,
        IPortHopper? hopper = null,
        ITcpResetter? resetter = null,
        ProcSockets? sockets = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(restarter);
        _client = client;
        _options = options ?? new TailscaleTargetOptions();
        _hopper = hopper;
        _resetter = resetter;
        _sockets = sockets ?? new ProcSockets();
        _time = timeProvider ?? TimeProvider.System;
        _hops = hopper is null ? null : new HopKeeper(hopper, _time, _options.HopKeep);
        var ladder = new List<IHealAction>();
        if (resetter is not null)
            ladder.Add(new ResetTcpAction(this));
        if (hopper is not null)
            ladder.Add(new HopPortAction(this));
        ladder.Add(new RestartAction(this, restarter));
        Ladder = ladder;
    }

    public string Name => "tailscale";

    public IReadOnlyList<IHealAction> Ladder { get; }

    public TimeSpan VerifyDeadline => _options.VerifyDeadline;

    public TimeSpan VerifyInterval => _options.VerifyInterval;

    /// <summary>Every WAN event matters: a new public address, a restored upstream, a changed local network.</summary>
    public bool Wants(HealTrigger trigger) => true;

    public async ValueTask<HealDiagnosis> DiagnoseAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var addressEvent = trigger.Reason is HealReason.PublicAddressChanged or HealReason.UpstreamRestored;
        if (addressEvent)
        {
            _changedAt = trigger.DetectedAt;
            _reset = 0;
        }

        _lastRung = null;
        if (!trigger.UpstreamUp)
            return new HealDiagnosis(HealCondition.UpstreamDown, ["upstream is down; tailscaled cannot reach anything yet"]);

        TailscaleStatus status;
        _pinned = false;
        try
        {
            status = await _client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            _daemonUnreachable = false;
        }
        catch (TailscaleLocalApiException ex)
        {
            // Only a restart can help a daemon that does not answer.
            _daemonUnreachable = ex.Error == TailscaleLocalApiError.NotRunning;
            return new HealDiagnosis(HealCondition.Unhealthy, [ex.Message]);
        }

        var diagnosis = Diagnose(status, trigger);
        var evidence = diagnosis.Evidence.ToList();
        var condition = diagnosis.Condition;
        if (NeedsPerson(diagnosis))
            return diagnosis;

        evidence.Add(FindDaemon(status));
        var direct = StatusDirectPath(status);
        evidence.Add(direct.Line);
        var tcp = await DeadTcpAsync(cancellationToken).ConfigureAwait(false);
        if (tcp is { } found)
            evidence.Add(found.Line);

        // A daemon that does not answer leaves status empty; the direct path is only judged from a real answer.
        _pinned = !direct.Ok;
        if (_pinned)
        {
            // Rebound's own STUN sees the new address while tailscaled's flows from its fixed port (its STUN too) stay on the old one.
            if ((trigger.PublicIpv4 ?? trigger.PublicIpv6) is { } seen)
                evidence.Add($"STUN works (public address {seen}) while the direct path does not: pinned to the old uplink");
            condition = HealCondition.FlowPinned;
        }

        if (tcp is { Dead: > 0 } && condition == HealCondition.Healthy)
            condition = HealCondition.Unhealthy;
        if (condition == HealCondition.Healthy)
        {
            _lastPinnedRestart = null;
            // Only with a known port: without one nothing of ours can be in the table.
            if (_hops is not null && _ports.Count > 0)
                await _hops.TidyAsync(_ports, evidence, cancellationToken).ConfigureAwait(false);
        }

        NoteRestartGuard(trigger, evidence);
        return new HealDiagnosis(condition, evidence);
    }

    /// <summary>Names the condition from a status answer alone (backend, control, advertised endpoints, peers); pure, for tests.</summary>
    public static HealDiagnosis Diagnose(TailscaleStatus status, HealTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(trigger);
        var evidence = new List<string>();
        var condition = HealCondition.Healthy;
        if (status.BackendState != "Running")
        {
            evidence.Add($"BackendState is {Quote(status.BackendState)}, not Running");
            condition = HealCondition.Unhealthy;
        }

        var self = status.Self;
        if (self is null)
        {
            evidence.Add("status has no Self");
            condition = HealCondition.Unhealthy;
        }
        else
        {
            if (!self.Online)
            {
                evidence.Add("Self.Online is false (no control connection)");
                condition = HealCondition.Unhealthy;
            }

            foreach (var missing in MissingPublicAddresses(self, trigger))
            {
                evidence.Add($"Self.Addrs lacks the public address {missing} ({Endpoints(self.Addrs)})");
                if (condition == HealCondition.Healthy)
                    condition = HealCondition.AddressChanged;
            }
        }

        foreach (var warning in status.Health ?? [])
            evidence.Add("health: " + OneLine(warning));

        var peers = status.Peer?.Values.ToList() ?? [];
        var offline = peers.Count(p => !p.Online);
        var relayed = peers.Where(p => p.Online && string.IsNullOrEmpty(p.CurAddr) && !string.IsNullOrEmpty(p.Relay)).ToList();
        if (offline > 0)
            evidence.Add($"{offline} of {peers.Count} peers offline");
        if (relayed.Count > 0)
            evidence.Add($"{relayed.Count} online peers relayed via DERP ({string.Join(", ", relayed.Take(3).Select(p => $"{p.HostName} via {p.Relay}"))})");

        if (condition == HealCondition.Healthy)
            evidence.Insert(0, $"online, Self.Addrs {Endpoints(self!.Addrs)}");
        return new HealDiagnosis(condition, evidence);
    }

    public async ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        TailscaleStatus status;
        try
        {
            status = await _client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TailscaleLocalApiException ex)
        {
            return new HealCheck(false, ex.Message);
        }

        if (status.BackendState != "Running" || status.Self is not { Online: true } self)
            return new HealCheck(false, $"BackendState {Quote(status.BackendState)}, Self.Online {status.Self?.Online ?? false}");

        // Control: online, no connection left that has been silent since the change, and every one reset replaced.
        _pid = _client.DaemonPid() ?? _pid;
        var lines = new List<string>();
        var controlOk = true;
        if (await DeadTcpAsync(cancellationToken).ConfigureAwait(false) is { } tcp)
        {
            controlOk = tcp.Dead == 0 && tcp.HeardSince >= Math.Min(_reset, 1);
            lines.Add(controlOk ? $"control connected ({tcp.HeardSince} tcp connection(s) heard from since the change)" : tcp.Line);
        }
        else
        {
            lines.Add("control connected (Self.Online)");
        }

        if (_lastRung == HealActionKind.ResetTcp && _pinned && _hopper is not null)
        {
            // The pinned direct path is hop-port's: once control is back, escalate at once.
            lines.Add("the pinned direct path is for hop-port");
            return new HealCheck(false, string.Join("; ", lines)) { NextRung = controlOk };
        }

        var direct = _options.PingPeers.Count > 0 ? await PingPeersAsync(cancellationToken).ConfigureAwait(false) : StatusDirectPath(status);
        lines.Add(direct.Line);
        var missing = MissingPublicAddresses(self, trigger).ToList();
        if (missing.Count > 0)
            lines.Add($"Self.Addrs lacks {string.Join(" and ", missing)} ({Endpoints(self.Addrs)})");
        if (!direct.Ok && _hops is { Active: true } && _hopper is not null && _ports.Count > 0)
        {
            // Packets that left from the old port anyway (between the rule and the delete) refresh the pinned entry.
            try
            {
                var swept = await _hopper.SweepAsync(_ports, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
                if (swept > 0)
                    lines.Add($"swept {swept} untranslated entr{(swept == 1 ? "y" : "ies")} of port {string.Join(",", _ports)} again");
            }
            catch (HopPortException ex)
            {
                lines.Add($"sweep failed: {ex.Message}");
            }
        }

        var ok = controlOk && direct.Ok && missing.Count == 0;
        if (ok)
            _lastPinnedRestart = null;
        return new HealCheck(ok, string.Join("; ", lines));
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// tailscaled's process (the peer of its LocalAPI socket) and its UDP port: <c>port =</c> when given, else the
    /// ports of its own UDP sockets that <c>Self.Addrs</c> advertises (magicsock's local endpoints carry its port).
    /// </summary>
    private string FindDaemon(TailscaleStatus status)
    {
        _pid = _client.DaemonPid();
        if (_options.Port is { } configured)
        {
            _ports = [configured];
            return $"udp port {configured} (port =){(_pid is { } p ? $", tailscaled pid {p}" : "")}";
        }

        if (_pid is not { } pid)
        {
            _ports = [];
            return "tailscaled's process not found (SO_PEERCRED of its socket): its udp port is unknown; set port =";
        }

        var advertised = (status.Self?.Addrs ?? []).Select(a => IPEndPoint.TryParse(a, out var e) ? e.Port : 0).Where(p => p > 0).ToHashSet();
        var inodes = _sockets.InodesOf(pid);
        var owned = _sockets.Udp().Where(s => inodes.Contains(s.Inode)).Select(s => s.Local.Port).Distinct().Order().ToList();
        _ports = [.. owned.Where(advertised.Contains)];
        return _ports.Count > 0
            ? $"magicsock udp port {string.Join(",", _ports)} (tailscaled pid {pid})"
            : $"no udp socket of tailscaled (pid {pid}, ports [{string.Join(", ", owned)}]) is on a port Self.Addrs advertises: hop-port cannot apply; set port =";
    }

    /// <summary>
    /// The direct path from status: every online peer (of <c>ping_peers</c> when given) that was direct at an earlier
    /// look, or any the first time, must have a current address; one seen within <see cref="TrustUdpAddr"/> of the
    /// change may predate it (magicsock keeps trusting an address that long after its last pong), unless tailscaled
    /// was restarted since (a new process shows a current address only after a new pong).
    /// </summary>
    private (bool Ok, string Line) StatusDirectPath(TailscaleStatus status)
    {
        var peers = (status.Peer ?? new Dictionary<string, TailscalePeerStatus>())
            .Where(p => p.Value.Online && (_options.PingPeers.Count == 0 || (p.Value.TailscaleIPs ?? []).Any(ip => _options.PingPeers.Any(w => w.ToString() == ip))))
            .ToList();
        var watched = peers.Where(p => _wasDirect.Count == 0 || _wasDirect.Contains(p.Key)).ToList();
        var lost = watched.Where(p => string.IsNullOrEmpty(p.Value.CurAddr)).Select(p => p.Value.HostName ?? p.Key).ToList();
        foreach (var (key, _) in peers.Where(p => !string.IsNullOrEmpty(p.Value.CurAddr)))
            _wasDirect.Add(key);
        if (watched.Count == 0)
            return (true, "no peer with a direct path to watch");
        if (lost.Count > 0)
            return (false, $"direct path lost to {lost.Count} of {watched.Count} peer(s) ({string.Join(", ", lost.Take(3))}): relayed via DERP");
        if (_changedAt is { } changed && _time.GetUtcNow() - changed < TrustUdpAddr && _lastRung != HealActionKind.Restart)
            return (false, $"current address of {watched.Count} peer(s) predates the change (magicsock trusts it {TrustUdpAddr.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s past its last pong): stale");
        return (true, $"direct path to {watched.Count} peer(s) ({string.Join(", ", watched.Take(3).Select(p => $"{p.Value.HostName} at {p.Value.CurAddr}"))})");
    }

    /// <summary>The direct path from disco pings: each of <c>ping_peers</c> must pong over UDP, not via DERP.</summary>
    private async ValueTask<(bool Ok, string Line)> PingPeersAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var ok = true;
        foreach (var peer in _options.PingPeers)
        {
            try
            {
                var pong = await _client.PingAsync(peer, "disco", cancellationToken).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(pong.Err))
                    lines.Add($"disco ping {peer} failed: {OneLine(pong.Err)}");
                else if (string.IsNullOrEmpty(pong.Endpoint))
                    lines.Add($"disco ping {peer}: pong via DERP region {pong.DERPRegionID}, no direct path");
                else
                    lines.Add($"pong {peer} {pong.LatencySeconds * 1000:0.#} ms direct {pong.Endpoint}");
                ok &= string.IsNullOrEmpty(pong.Err) && !string.IsNullOrEmpty(pong.Endpoint);
            }
            catch (TailscaleLocalApiException ex)
            {
                ok = false;
                lines.Add($"disco ping {peer}: {ex.Message}");
            }
        }

        return (ok, string.Join("; ", lines));
    }

    /// <summary>tailscaled's TCP connections opened before the change and silent since (dry run of reset-tcp); null when that cannot be told.</summary>
    private async ValueTask<(int Dead, int HeardSince, string Line)?> DeadTcpAsync(CancellationToken cancellationToken)
    {
        if (_changedAt is { } old && _time.GetUtcNow() - old > TcpWatchWindow)
            _changedAt = null;
        if (_resetter is null || _changedAt is not { } changedAt || _pid is not { } pid)
            return null;
        try
        {
            var r = await _resetter.ResetAsync(new TcpResetRequest(changedAt) { OwnerPids = [pid], DryRun = true }, cancellationToken).ConfigureAwait(false);
            var line = r.Destroyed.Count == 0
                ? $"tcp of tailscaled: none dead ({r.Matched} open, {r.SparedHeardSince} heard from since the change)"
                : $"tcp of tailscaled (control, DERP): {r.Destroyed.Count} silent since the change, dead: {string.Join("; ", r.Destroyed.Take(4))}";
            return (r.Destroyed.Count, r.SparedHeardSince, line);
        }
        catch (TcpResetException ex)
        {
            return (0, 0, $"tcp connections not readable: {ex.Message}");
        }
    }

    /// <summary>The loop guard: a restart that did not bring a pinned direct path back is not repeated for the same public address.</summary>
    private void NoteRestartGuard(HealTrigger trigger, List<string> evidence)
    {
        _restartGuarded = false;
        if (!_pinned || _lastPinnedRestart is not { } last)
            return;
        var since = _time.GetUtcNow() - last.At;
        if (since < _options.RestartGuard && Equals(last.Public, trigger.PublicIpv4 ?? trigger.PublicIpv6))
        {
            _restartGuarded = true;
            evidence.Add($"restart not repeated: the one {since.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ago, for this same public address, "
                + "did not bring the direct path back (tailscaled binds the same port again)");
        }
    }

    private static IEnumerable<IPAddress> MissingPublicAddresses(TailscalePeerStatus self, HealTrigger trigger)
    {
        var advertised = new HashSet<IPAddress>();
        foreach (var text in self.Addrs ?? [])
        {
            if (IPEndPoint.TryParse(text, out var endpoint))
                advertised.Add(endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address);
        }

        foreach (var address in new[] { trigger.PublicIpv4, trigger.PublicIpv6 })
        {
            if (address is not null && !advertised.Contains(address))
                yield return address;
        }
    }

    private static string Endpoints(IReadOnlyList<string>? addrs) =>
        addrs is null or { Count: 0 } ? "none" : string.Join(" ", addrs.Take(6)) + (addrs.Count > 6 ? $" +{addrs.Count - 6}" : "");

    private static string Quote(string? text) => string.IsNullOrEmpty(text) ? "empty" : OneLine(text);

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "...";
    }

    /// <summary>Logged out or stopped by its admin: no remedy here would help, and restarting would be rude.</summary>
    private static bool NeedsPerson(HealDiagnosis diagnosis) =>
        diagnosis.Evidence.Any(line => line.StartsWith("BackendState is NeedsLogin", StringComparison.Ordinal)
            || line.StartsWith("BackendState is NeedsMachineAuth", StringComparison.Ordinal)
            || line.StartsWith("BackendState is Stopped", StringComparison.Ordinal));

    private static bool Applies(HealDiagnosis diagnosis) => diagnosis?.NeedsHealing == true && !NeedsPerson(diagnosis);

    /// <summary>Destroys tailscaled's TCP connections silent since the change: the control long-poll and DERP reconnect at once instead of after 120 s.</summary>
    private sealed class ResetTcpAction(TailscaleTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.ResetTcp;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => Applies(diagnosis) && !target._daemonUnreachable;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            target._lastRung = Kind;
            if (target._changedAt is not { } changedAt)
                throw new HealActionNotApplicableException("no confirmed address change: no connection can be known dead");
            if (target._pid is not { } pid)
                throw new HealActionNotApplicableException("tailscaled's process not found: its connections are unknown");
            try
            {
                var result = await target._resetter!.ResetAsync(new TcpResetRequest(changedAt) { OwnerPids = [pid] }, cancellationToken).ConfigureAwait(false);
                target._reset += result.Destroyed.Count;
                return result.Describe();
            }
            catch (TcpResetException ex)
            {
                throw new HealActionException(ex.Message, ex);
            }
        }
    }

    /// <summary>
    /// tailscaled's UDP flows leave from another source port (Rebound's nftables table, the host's conntrack entries of
    /// the port deleted): a new flow for the router, on the live uplink. Then a <c>restun</c>, so tailscaled advertises
    /// the hopped endpoint at once instead of at its next periodic STUN (20-26 s).
    /// </summary>
    private sealed class HopPortAction(TailscaleTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.HopPort;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) =>
            Applies(diagnosis) && !target._daemonUnreachable && diagnosis.Condition is HealCondition.FlowPinned or HealCondition.AddressChanged;


        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            target._lastRung = Kind;
            if (target._ports.Count == 0)
                throw new HealActionNotApplicableException("tailscaled's udp port is unknown (no socket of it on an advertised port; set port =)");
            var family = trigger.PublicIpv4 is null && trigger.PublicIpv6 is not null ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            var result = await HopPortStep.RunAsync(
                target._hopper!,
                new HopRequest(target._ports, family, family == AddressFamily.InterNetwork ? trigger.PublicIpv4 : trigger.PublicIpv6),
                cancellationToken).ConfigureAwait(false);
            target._hops!.NoteHop();
            string restun;
            try
            {
                await target._client.DebugActionAsync("restun", cancellationToken).ConfigureAwait(false);
                restun = "restun done";
            }
            catch (TailscaleLocalApiException ex)
            {
                restun = "restun failed: " + ex.Message;
            }

            return $"{result.Detail}; {restun}";
        }
    }

    /// <summary>Restarts tailscaled (over systemd's D-Bus API, or the configured command); last, and guarded against loops.</summary>
    private sealed class RestartAction(TailscaleTarget target, IUnitRestarter restarter) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Restart;

        public bool IsRestart => true;

        public bool AppliesTo(HealDiagnosis diagnosis) => Applies(diagnosis) && !target._restartGuarded;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            target._lastRung = Kind;
            if (target._pinned)
                target._lastPinnedRestart = (target._time.GetUtcNow(), trigger.PublicIpv4 ?? trigger.PublicIpv6);
            try
            {
                return await restarter.RestartAsync(target._options.Unit, cancellationToken).ConfigureAwait(false);
            }
            catch (UnitRestartException ex)
            {
                throw new HealActionException(ex.Message, ex);
            }
        }
    }
}
