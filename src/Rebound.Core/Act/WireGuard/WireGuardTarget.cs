using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Rebound.Act.Commands;
using Rebound.Act.Heal;
using Rebound.Configuration;
using Rebound.Record;

namespace Rebound.Act.WireGuard;

/// <summary>
/// Keeps one WireGuard interface working across failovers. Diagnosis reads the interface (handshake ages, rx/tx
/// since the previous look), pings <c>verify_ping</c> once, and re-resolves peer host names when due. Ladder:
/// <c>keepalive</c>, <c>reresolve</c>, <c>rotate-port</c>, and <c>restart</c> when a command is configured.
/// </summary>
public sealed class WireGuardTarget : IHealTarget
{
    private readonly WireGuardTargetOptions _options;
    private readonly IWireGuardControl _control;
    private readonly IEchoPinger _pinger;
    private readonly IHostResolver _resolver;
    private readonly ICommandRunner _commands;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PeerMark> _lastLook = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Resolution> _resolved = new(StringComparer.Ordinal);
    private Dictionary<string, PeerMark> _baseline = new(StringComparer.Ordinal);
    private bool _baselineIsRestart; // every peer, known before or not, counts from zero
    private DateTimeOffset? _lastLookAt;
    private DateTimeOffset? _lastResolveAt;
    private int? _portBeforeRotation;
    private DateTimeOffset _rotatedAt;

    public WireGuardTarget(
        WireGuardTargetOptions options,
        IWireGuardControl control,
        IEchoPinger pinger,
        IHostResolver resolver,
        TimeProvider timeProvider,
        ICommandRunner? commands = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _control = control ?? throw new ArgumentNullException(nameof(control));
        _pinger = pinger ?? throw new ArgumentNullException(nameof(pinger));
        _resolver = resolver ?? throw new ArgumentNullException(nameof(resolver));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _commands = commands ?? new ProcessCommandRunner(timeProvider);
        var ladder = new List<IHealAction> { new KeepaliveAction(this), new ReresolveAction(this), new RotatePortAction(this) };
        if (options.RestartCommand is { Count: > 0 })
            ladder.Add(new RestartAction(this));
        Ladder = ladder;
    }

    /// <summary>
    /// The target for a <c>[[wireguard]]</c> entry: UAPI socket or wireguard-tools, raw ICMP, the system resolver. Without
    /// <c>config_file</c>, <c>/etc/wireguard/IF.conf</c> is read when it exists.
    /// </summary>
    public static WireGuardTarget Create(WireGuardTargetOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var defaultFile = $"/etc/wireguard/{options.Interface}.conf";
        return new WireGuardTarget(
            options with { ConfigFile = options.ConfigFile ?? (File.Exists(defaultFile) ? defaultFile : null) },
            WireGuardControl.For(options.Interface, timeProvider),
            new IcmpEchoPinger(timeProvider),
            new SystemHostResolver(timeProvider, TimeSpan.FromSeconds(1)),
            timeProvider);
    }

    public string Name => "wireguard:" + _options.Interface;

    public IReadOnlyList<IHealAction> Ladder { get; }

    public TimeSpan VerifyDeadline => _options.VerifyDeadline;

    public TimeSpan VerifyInterval => _options.VerifyInterval;

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

        WireGuardDeviceState state;
        try
        {
            state = await _control.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (WireGuardProtocolException ex)
        {
            evidence.Add(ex.Message);
            return new HealDiagnosis(HealCondition.Unhealthy, evidence);
        }

        var now = _time.GetUtcNow();
        evidence.Add($"{_options.Interface}: listen port {state.ListenPort}, {state.Peers.Count} peer(s), via {_control.Describe}");
        var rxAdvanced = false;
        var staleWithKeepalive = false;
        var anyStale = false;
        var anyFresh = false;
        foreach (var peer in state.Peers)
        {
            var age = peer.LastHandshake is { } hs ? now - hs : (TimeSpan?)null;
            var stale = age is null || age > _options.HandshakeStaleAfter;
            anyStale |= stale;
            anyFresh |= !stale;
            staleWithKeepalive |= stale && peer.PersistentKeepaliveSeconds > 0;
            var line = $"peer {peer.ShortKey} endpoint {peer.Endpoint?.ToString() ?? "(none)"}: handshake {(age is { } a ? Seconds(a) + " ago" : "never")}";
            if (_lastLook.TryGetValue(peer.PublicKey, out var before) && _lastLookAt is { } at)
            {
                var drx = peer.RxBytes - before.Rx;
                rxAdvanced |= drx > 0;
                line += $", rx +{drx} B, tx +{peer.TxBytes - before.Tx} B in {Seconds(now - at)}";
            }

            evidence.Add(line);
        }

        Remember(state, _lastLook);
        _lastLookAt = now;

        var resolvedBefore = _lastResolveAt;
        var moved = await FindMovedPeersAsync(state, trigger, anyStale, evidence, cancellationToken).ConfigureAwait(false);
        var addressEvent = trigger.Reason is HealReason.PublicAddressChanged or HealReason.UpstreamRestored;
        if (addressEvent)
            evidence.Add($"trigger {trigger.Reason.ToName()}: public address now {trigger.PublicIpv4?.ToString() ?? trigger.PublicIpv6?.ToString() ?? "unknown"}");

        if (moved.Count > 0)
            return new HealDiagnosis(HealCondition.PeerMoved, evidence);

        if (_options.VerifyPing.Count > 0)
        {
            var address = _options.VerifyPing[0];
            var ping = await _pinger.PingAsync(address, _options.PingTimeout, cancellationToken).ConfigureAwait(false);
            evidence.Add(ping.Describe(address, _options.PingTimeout));
            if (ping.Answered)
            {
                await RestorePortIfDueAsync(state, evidence, cancellationToken).ConfigureAwait(false);
                return new HealDiagnosis(HealCondition.Healthy, evidence);
            }

            // Right after our public address changed, a missed echo is strong evidence: the peer's packets to the
            // old address stop arriving, so waiting for rx to stall would only delay the heal. Otherwise one missed
            // echo (a slow LTE link, a ping target that is down) is not enough while the peer is still heard from.
            if (!addressEvent && rxAdvanced && anyFresh)
            {
                evidence.Add("ping unanswered, but the peer is still heard from (rx advanced, handshake fresh): not pinned");
                return new HealDiagnosis(HealCondition.Healthy, evidence);
            }

            // Silent, and the names were not looked up this round: the other end may have moved (a DDNS update there,
            // which nothing on this side sees), and then rotating our port cannot help. One lookup settles it.
            if (_lastResolveAt == resolvedBefore)
            {
                moved = await FindMovedPeersAsync(state, null, anyStale, evidence, cancellationToken).ConfigureAwait(false);
                if (moved.Count > 0)
                    return new HealDiagnosis(HealCondition.PeerMoved, evidence);
            }

            evidence.Add("tunnel silent while the upstream is up: its flow is stuck on the old path");
            return new HealDiagnosis(HealCondition.FlowPinned, evidence);
        }

        if (addressEvent)
            return new HealDiagnosis(HealCondition.AddressChanged, evidence);
        if (staleWithKeepalive && !rxAdvanced)
        {
            evidence.Add("handshake stale and nothing received although keepalive is on, while the upstream is up");
            return new HealDiagnosis(HealCondition.FlowPinned, evidence);
        }

        await RestorePortIfDueAsync(state, evidence, cancellationToken).ConfigureAwait(false);
        return new HealDiagnosis(HealCondition.Healthy, evidence);
    }

    public async ValueTask<HealCheck> VerifyAsync(HealTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (_options.VerifyPing.Count > 0)
        {
            var lines = new List<string>();
            foreach (var address in _options.VerifyPing)
            {
                var ping = await _pinger.PingAsync(address, _options.PingTimeout, cancellationToken).ConfigureAwait(false);
                var line = ping.Describe(address, _options.PingTimeout);
                if (ping.Answered)
                    return new HealCheck(true, line);
                lines.Add(line);
            }

            return new HealCheck(false, string.Join("; ", lines));
        }

        WireGuardDeviceState state;
        try
        {
            state = await _control.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (WireGuardProtocolException ex)
        {
            return new HealCheck(false, ex.Message);
        }

        foreach (var peer in state.Peers)
        {
            if (!_baseline.TryGetValue(peer.PublicKey, out var mark))
            {
                if (!_baselineIsRestart)
                    continue;
                mark = new PeerMark(0, 0, null);
            }

            if (peer.LastHandshake is { } handshake && (mark.Handshake is not { } before || handshake > before))
                return new HealCheck(true, $"peer {peer.ShortKey}: new handshake since the action");
            if (peer.RxBytes > mark.Rx)
                return new HealCheck(true, $"peer {peer.ShortKey}: rx +{peer.RxBytes - mark.Rx} B since the action");
        }

        return new HealCheck(false, "no handshake and nothing received since the action");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static void Remember(WireGuardDeviceState state, Dictionary<string, PeerMark> into)
    {
        into.Clear();
        foreach (var peer in state.Peers)
            into[peer.PublicKey] = new PeerMark(peer.RxBytes, peer.TxBytes, peer.LastHandshake);
    }

    /// <summary>Snapshot after an action: verification without pings looks for a handshake or bytes received after it.</summary>
    private async ValueTask MarkBaselineAsync(CancellationToken cancellationToken)
    {
        var baseline = new Dictionary<string, PeerMark>(StringComparer.Ordinal);
        try
        {
            Remember(await _control.GetAsync(cancellationToken).ConfigureAwait(false), baseline);
        }
        catch (WireGuardProtocolException)
        {
            // Verification will report the interface's error itself.
        }

        _baseline = baseline;
        _baselineIsRestart = false;
    }

    /// <summary>
    /// A restarted interface starts from zero counters and no handshake: every peer gets that baseline, so any
    /// handshake or byte received after the restart verifies it (a cleared baseline would verify nothing).
    /// </summary>
    private void MarkRestarted()
    {
        _baseline = new Dictionary<string, PeerMark>(StringComparer.Ordinal);
        _baselineIsRestart = true;
    }

    /// <summary>Peer host names: configured <c>endpoints</c>, else the wg-quick file's; IP literals are left out.</summary>
    private Dictionary<string, string> HostEndpoints()
    {
        IReadOnlyDictionary<string, string> source = _options.Endpoints;
        if (source.Count == 0 && _options.ConfigFile is { } file)
        {
            try
            {
                source = WgQuickEndpoints.Parse(BoundedFile.ReadText(file, BoundedFile.MaxConfigBytes));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                source = new Dictionary<string, string>();
            }
        }

        return source.Where(kv => WgQuickEndpoints.TrySplit(kv.Value, out var host, out _) && !IPAddress.TryParse(host, out _))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Resolves host names when due (an address event, a stale handshake, <c>resolve_interval</c> passed, or forced)
    /// and returns the peers whose current endpoint is none of the name's addresses.
    /// </summary>
    private async ValueTask<List<(WireGuardPeerState Peer, IPEndPoint Target)>> FindMovedPeersAsync(
        WireGuardDeviceState state, HealTrigger? trigger, bool handshakeStale, List<string> evidence, CancellationToken cancellationToken)
    {
        var moved = new List<(WireGuardPeerState, IPEndPoint)>();
        var hosts = HostEndpoints();
        if (hosts.Count == 0)
            return moved;
        var now = _time.GetUtcNow();
        var due = trigger is null
            || trigger.Reason is HealReason.PublicAddressChanged or HealReason.UpstreamRestored or HealReason.Startup
            || handshakeStale
            || _lastResolveAt is null
            || now - _lastResolveAt >= _options.ResolveInterval;
        if (due)
        {
            _lastResolveAt = now;
            foreach (var (key, endpoint) in hosts)
            {
                WgQuickEndpoints.TrySplit(endpoint, out var host, out var port);
                var addresses = await _resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
                _resolved[key] = new Resolution(host, [.. addresses.Select(a => new IPEndPoint(a, port))]);
                evidence.Add(addresses.Count == 0 ? $"resolve {host}: no address" : $"resolve {host}: {string.Join(", ", addresses)}");
            }
        }

        foreach (var peer in state.Peers)
        {
            if (!_resolved.TryGetValue(peer.PublicKey, out var resolution) || resolution.Endpoints.Count == 0)
                continue;
            if (peer.Endpoint is { } current && resolution.Endpoints.Contains(current))
                continue;
            var family = peer.Endpoint?.AddressFamily ?? AddressFamily.InterNetwork;
            var target = resolution.Endpoints.FirstOrDefault(e => e.AddressFamily == family) ?? resolution.Endpoints[0];
            evidence.Add($"peer {peer.ShortKey}: {resolution.Host} now resolves to {target}, endpoint is {peer.Endpoint?.ToString() ?? "(none)"}");
            moved.Add((peer, target));
        }

        return moved;
    }

    private async ValueTask RestorePortIfDueAsync(WireGuardDeviceState state, List<string> evidence, CancellationToken cancellationToken)
    {
        if (!_options.RestorePort || _portBeforeRotation is not { } original || state.ListenPort == original)
            return;
        var since = _time.GetUtcNow() - _rotatedAt;
        if (since < _options.RestorePortAfter)
            return;
        try
        {
            await _control.SetAsync(WireGuardChange.Port(original), cancellationToken).ConfigureAwait(false);
            await _control.SetAsync(KeepaliveChange(state), cancellationToken).ConfigureAwait(false);
            _portBeforeRotation = null;
            evidence.Add($"listen port {state.ListenPort} -> {original} restored ({Seconds(since)} after the rotation; the old flow has expired)");
        }
        catch (WireGuardProtocolException ex)
        {
            evidence.Add($"listen port {original} not restored: {ex.Message}");
        }
    }

    /// <summary>Turning persistent keepalive off and on makes WireGuard send a keepalive at once (wireguard-go and the kernel both do).</summary>
    private static WireGuardChange KeepaliveChange(WireGuardDeviceState state) =>
        new(null, [.. state.Peers.Where(p => p.Endpoint is not null)
            .Select(p => new WireGuardPeerChange(p.PublicKey, null, p.PersistentKeepaliveSeconds > 0 ? [0, p.PersistentKeepaliveSeconds] : [0, 1]))]);

    private static int PickFreePort(int current)
    {
        for (var i = 0; i < 20; i++)
        {
            var port = RandomNumberGenerator.GetInt32(49152, 65536);
            if (port == current)
                continue;
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                probe.Bind(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken here; try another.
            }
        }

        return RandomNumberGenerator.GetInt32(49152, 65536);
    }

    private async ValueTask<WireGuardDeviceState> GetForActionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _control.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (WireGuardProtocolException ex)
        {
            throw new HealActionException(ex.Message, ex);
        }
    }

    private async ValueTask SetForActionAsync(WireGuardChange change, CancellationToken cancellationToken)
    {
        try
        {
            await _control.SetAsync(change, cancellationToken).ConfigureAwait(false);
        }
        catch (WireGuardProtocolException ex)
        {
            throw new HealActionException(ex.Message, ex);
        }
    }

    private readonly record struct PeerMark(long Rx, long Tx, DateTimeOffset? Handshake);

    private sealed record Resolution(string Host, IReadOnlyList<IPEndPoint> Endpoints);

    /// <summary>Makes every peer with an endpoint hear from us now: enough when our NAT remapped the flow.</summary>
    private sealed class KeepaliveAction(WireGuardTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Keepalive;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.Condition is HealCondition.AddressChanged or HealCondition.Unhealthy;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var state = await target.GetForActionAsync(cancellationToken).ConfigureAwait(false);
            var change = KeepaliveChange(state);
            if (change.Peers.Count == 0)
                throw new HealActionException($"{target._options.Interface}: no peer has an endpoint to send a keepalive to");
            await target.MarkBaselineAsync(cancellationToken).ConfigureAwait(false);
            await target.SetForActionAsync(change, cancellationToken).ConfigureAwait(false);
            // Peers without persistent keepalive went 0 -> 1 s to send one; put them back to off.
            var restore = state.Peers.Where(p => p.Endpoint is not null && p.PersistentKeepaliveSeconds == 0)
                .Select(p => new WireGuardPeerChange(p.PublicKey, null, [0])).ToList();
            if (restore.Count > 0)
                await target.SetForActionAsync(new WireGuardChange(null, restore), cancellationToken).ConfigureAwait(false);
            return $"keepalive sent to {change.Peers.Count} peer(s)";
        }
    }

    /// <summary>Points peers dialed by name at what the name resolves to now.</summary>
    private sealed class ReresolveAction(WireGuardTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Reresolve;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.Condition is HealCondition.PeerMoved;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var state = await target.GetForActionAsync(cancellationToken).ConfigureAwait(false);
            var evidence = new List<string>();
            var moved = await target.FindMovedPeersAsync(state, null, true, evidence, cancellationToken).ConfigureAwait(false);
            if (moved.Count == 0)
                return "every peer's endpoint already matches its name";
            await target.MarkBaselineAsync(cancellationToken).ConfigureAwait(false);
            // Setting the endpoint makes WireGuard send to it at once (a handshake or the next keepalive).
            var change = new WireGuardChange(null, [.. moved.Select(m => new WireGuardPeerChange(m.Peer.PublicKey, m.Target,
                m.Peer.PersistentKeepaliveSeconds > 0 ? [0, m.Peer.PersistentKeepaliveSeconds] : []))]);
            await target.SetForActionAsync(change, cancellationToken).ConfigureAwait(false);
            return string.Join("; ", moved.Select(m => $"peer {m.Peer.ShortKey}: endpoint {m.Peer.Endpoint?.ToString() ?? "(none)"} -> {m.Target}"));
        }
    }

    /// <summary>
    /// A new listen port is a new 5-tuple: the router makes a fresh NAT entry on the current WAN, and the peer
    /// roams to it on the first authenticated packet (sent at once by the keepalive toggle).
    /// </summary>
    private sealed class RotatePortAction(WireGuardTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.RotatePort;

        public bool IsRestart => false;

        public bool AppliesTo(HealDiagnosis diagnosis) =>
            diagnosis?.Condition is HealCondition.FlowPinned or HealCondition.AddressChanged or HealCondition.Unhealthy;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var state = await target.GetForActionAsync(cancellationToken).ConfigureAwait(false);
            var pick = target._options.PickPort ?? PickFreePort;
            await target.MarkBaselineAsync(cancellationToken).ConfigureAwait(false);
            HealActionException? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var port = pick(state.ListenPort);
                try
                {
                    await target.SetForActionAsync(WireGuardChange.Port(port), cancellationToken).ConfigureAwait(false);
                }
                catch (HealActionException ex)
                {
                    last = ex; // most likely the port was taken meanwhile
                    continue;
                }

                if (target._portBeforeRotation is null)
                    target._portBeforeRotation = state.ListenPort;
                target._rotatedAt = target._time.GetUtcNow();
                var keepalive = KeepaliveChange(state);
                if (keepalive.Peers.Count > 0)
                    await target.SetForActionAsync(keepalive, cancellationToken).ConfigureAwait(false);
                return $"listen port {state.ListenPort} -> {port}";
            }

            throw new HealActionException($"{target._options.Interface}: could not change the listen port: {last?.Message}");
        }
    }

    /// <summary>The configured restart command: last resort, counted against the restart budget.</summary>
    private sealed class RestartAction(WireGuardTarget target) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Restart;

        public bool IsRestart => true;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis?.NeedsHealing == true;

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            var argv = target._options.RestartCommand!;
            await target.MarkBaselineAsync(cancellationToken).ConfigureAwait(false);
            var detail = await RestartCommandStep.RunAsync(target._commands, argv, target._options.RestartTimeout, cancellationToken).ConfigureAwait(false);
            target.MarkRestarted();
            return detail;
        }
    }
}
