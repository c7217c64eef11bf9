using System.Net;

namespace Rebound.Act.WireGuard;

/// <summary>
/// What a WireGuard interface reports about itself (UAPI <c>get=1</c> or <c>wg show IF dump</c>).
/// Private and preshared keys are never kept: only whether a private key is set.
/// </summary>
public sealed record WireGuardDeviceState(bool HasPrivateKey, int ListenPort, uint FirewallMark, IReadOnlyList<WireGuardPeerState> Peers);

/// <summary>One peer. <see cref="PublicKey"/> is base64 (as wg-quick files and <c>wg show</c> spell it).</summary>
/// <param name="LastHandshake">Null when there was never a handshake.</param>
/// <param name="PersistentKeepaliveSeconds">0: off.</param>
public sealed record WireGuardPeerState(
    string PublicKey,
    IPEndPoint? Endpoint,
    DateTimeOffset? LastHandshake,
    long RxBytes,
    long TxBytes,
    int PersistentKeepaliveSeconds,
    IReadOnlyList<string> AllowedIps)
{
    /// <summary>The first characters of the public key, enough to tell peers apart in a journal line.</summary>
    public string ShortKey => PublicKey.Length > 8 ? PublicKey[..8] + "…" : PublicKey;
}

/// <summary>A change to make (UAPI <c>set=1</c>): only what is non-null changes.</summary>
public sealed record WireGuardChange(int? ListenPort, IReadOnlyList<WireGuardPeerChange> Peers)
{
    public static WireGuardChange Port(int port) => new(port, []);
}

/// <summary>
/// A change to an existing peer. <paramref name="PersistentKeepaliveSeconds"/> are applied in order: <c>[0, 25]</c>
/// turns keepalive off and on again, which makes WireGuard send one keepalive at once.
/// </summary>
public sealed record WireGuardPeerChange(string PublicKey, IPEndPoint? Endpoint, IReadOnlyList<int> PersistentKeepaliveSeconds);

/// <summary>A UAPI response or <c>wg</c> dump that does not follow the protocol. The message is one line without secrets.</summary>
public sealed class WireGuardProtocolException : Exception
{
    public WireGuardProtocolException()
    {
    }

    public WireGuardProtocolException(string message)
        : base(message)
    {
    }

    public WireGuardProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
