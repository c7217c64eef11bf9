using System.Net;

namespace Rebound.Configuration;

/// <summary>
/// One <c>[[wireguard]]</c> entry: a WireGuard interface Rebound keeps working across failovers.
/// </summary>
/// <param name="Interface">The interface name (<c>wg0</c>).</param>
public sealed record WireGuardConfig(string Interface)
{
    public static readonly TimeSpan DefaultVerifyDeadline = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan DefaultResolveInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Short, because a pinned flow is diagnosed by waiting this long for an echo right after a failover (the
    /// ~2 s heal target); slower links raise it, and late answers still count on the next echo.
    /// </summary>
    public static readonly TimeSpan DefaultPingTimeout = TimeSpan.FromMilliseconds(300);

    /// <summary>Tunnel addresses that answer ICMP echo when the tunnel works (fast, definite verification).</summary>
    public IReadOnlyList<IPAddress> VerifyPing { get; init; } = [];

    /// <summary>Peer public key (base64) to <c>host:port</c>, for peers dialed by name.</summary>
    public IReadOnlyDictionary<string, string> Endpoints { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// wg-quick file whose <c>[Peer]</c> <c>PublicKey</c>/<c>Endpoint</c> lines give host names (when
    /// <see cref="Endpoints"/> is empty; default <c>/etc/wireguard/IF.conf</c>, read only if present).
    /// </summary>
    public string? ConfigFile { get; init; }

    /// <summary>After a port rotation, move back to the configured listen port once that is safe (see the README).</summary>
    public bool RestorePort { get; init; }

    /// <summary>argv of the last-resort restart (e.g. systemctl restart wg-quick@wg0); null: no restart rung.</summary>
    public IReadOnlyList<string>? RestartCommand { get; init; }

    public TimeSpan VerifyDeadline { get; init; } = DefaultVerifyDeadline;

    /// <summary>How long one <see cref="VerifyPing"/> echo waits for its answer.</summary>
    public TimeSpan PingTimeout { get; init; } = DefaultPingTimeout;

    /// <summary>How often peer host names are resolved again even without an event.</summary>
    public TimeSpan ResolveInterval { get; init; } = DefaultResolveInterval;
}
