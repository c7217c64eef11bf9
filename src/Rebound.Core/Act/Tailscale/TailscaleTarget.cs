using System.Net;
using Rebound.Act.Heal;
using Rebound.Act.Systemd;

namespace Rebound.Act.Tailscale;

/// <summary>
/// Keeps tailscaled working after the upstream changes. tailscaled gets no network-change event when
/// only the router's upstream changes: it re-STUNs every 20-26 s (never after 45 s idle), and its DERP
/// and control connections wait up to 120 s to notice a dead path. The ladder makes it notice at once:
/// <c>rebind</c> (new sockets, same port, then a re-STUN), <c>restun</c>, <c>break-derp-conns</c>, and
/// finally restarting the daemon.
/// </summary>
public sealed class TailscaleTarget : IHealTarget, IAsyncDisposable
{
    private readonly TailscaleLocalClient _client;
    private readonly TailscaleTargetOptions _options;
    private volatile bool _daemonUnreachable;

    public TailscaleTarget(TailscaleLocalClient client, IUnitRestarter restarter, TailscaleTargetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(restarter);
        _client = client;
        _options = options ?? new TailscaleTargetOptions();
        Ladder =
        [
            new DebugAction(this, HealActionKind.Rebind, "rebind"),
            new DebugAction(this, HealActionKind.Restun, "restun"),
            new DebugAction(this, HealActionKind.BreakDerpConns, "break-derp-conns"),
            new RestartAction(restarter, _options.Unit),
        ];
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
        if (!trigger.UpstreamUp)
            return new HealDiagnosis(HealCondition.UpstreamDown, ["upstream is down; tailscaled cannot reach anything yet"]);

        TailscaleStatus status;
        try
        {
            status = await _client.GetStatusAsync(cancellationToken);
            _daemonUnreachable = false;
        }
        catch (TailscaleLocalApiException ex) when (ex.Error == TailscaleLocalApiError.NotRunning)
        {
            // Only a restart can help a daemon that does not answer.
            _daemonUnreachable = true;
            return new HealDiagnosis(HealCondition.Unhealthy, [ex.Message]);
        }
        catch (TailscaleLocalApiException ex)
        {
            _daemonUnreachable = false;
            return new HealDiagnosis(HealCondition.Unhealthy, [ex.Message]);
        }

        return Diagnose(status, trigger);
    }

    /// <summary>Names the condition from a status answer; pure, for tests.</summary>
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
            status = await _client.GetStatusAsync(cancellationToken);
        }
        catch (TailscaleLocalApiException ex)
        {
            return new HealCheck(false, ex.Message);
        }

        if (status.BackendState != "Running" || status.Self is not { Online: true } self)
            return new HealCheck(false, $"BackendState {Quote(status.BackendState)}, Self.Online {status.Self?.Online ?? false}");
        var missing = MissingPublicAddresses(self, trigger).ToList();
        if (missing.Count > 0)
            return new HealCheck(false, $"online, but Self.Addrs lacks {string.Join(" and ", missing)} ({Endpoints(self.Addrs)})");

        var pongs = new List<string>();
        foreach (var peer in _options.PingPeers)
        {
            TailscalePingResult pong;
            try
            {
                pong = await _client.PingAsync(peer, "disco", cancellationToken);
            }
            catch (TailscaleLocalApiException ex)
            {
                return new HealCheck(false, $"online; disco ping {peer}: {ex.Message}");
            }

            if (!string.IsNullOrEmpty(pong.Err))
                return new HealCheck(false, $"online; disco ping {peer} failed: {OneLine(pong.Err)}");
            var path = !string.IsNullOrEmpty(pong.Endpoint) ? "direct " + pong.Endpoint : $"via DERP region {pong.DERPRegionID}";
            pongs.Add($"{peer} {pong.LatencySeconds * 1000:0.#} ms {path}");
        }

        var addresses = string.Join(", ", new[] { trigger.PublicIpv4, trigger.PublicIpv6 }.Where(a => a is not null));
        return new HealCheck(true, $"online, Self.Addrs has {(addresses.Length > 0 ? addresses : "its endpoints")}{(pongs.Count > 0 ? "; pong " + string.Join("; ", pongs) : "")}");
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
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

    /// <summary>A LocalAPI debug action: <c>rebind</c>, <c>restun</c> or <c>break-derp-conns</c> (tailscaled's spelling, kept apart from ours).</summary>
    private sealed class DebugAction(TailscaleTarget target, HealActionKind kind, string action) : IHealAction
    {
        public HealActionKind Kind => kind;

        public bool IsRestart => false;

        /// <summary>A daemon that does not answer cannot take a debug action; a logged-out one needs a person.</summary>
        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis.NeedsHealing && !target._daemonUnreachable && !NeedsPerson(diagnosis);

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            try
            {
                await target._client.DebugActionAsync(action, cancellationToken);
                return $"POST /localapi/v0/debug?action={action}: done";
            }
            catch (TailscaleLocalApiException ex)
            {
                throw new HealActionException(ex.Message, ex);
            }
        }
    }

    /// <summary>Restarts tailscaled: over systemd's D-Bus API, or with the configured command.</summary>
    private sealed class RestartAction(IUnitRestarter restarter, string unit) : IHealAction
    {
        public HealActionKind Kind => HealActionKind.Restart;

        public bool IsRestart => true;

        public bool AppliesTo(HealDiagnosis diagnosis) => diagnosis.NeedsHealing && !NeedsPerson(diagnosis);

        public async ValueTask<string> RunAsync(HealTrigger trigger, CancellationToken cancellationToken)
        {
            try
            {
                return await restarter.RestartAsync(unit, cancellationToken);
            }
            catch (UnitRestartException ex)
            {
                throw new HealActionException(ex.Message, ex);
            }
        }
    }

    /// <summary>Logged out or stopped by its admin: no remedy here would help, and restarting would be rude.</summary>
    private static bool NeedsPerson(HealDiagnosis diagnosis) =>
        diagnosis.Evidence.Any(line => line.StartsWith("BackendState is NeedsLogin", StringComparison.Ordinal)
            || line.StartsWith("BackendState is NeedsMachineAuth", StringComparison.Ordinal)
            || line.StartsWith("BackendState is Stopped", StringComparison.Ordinal));
}
