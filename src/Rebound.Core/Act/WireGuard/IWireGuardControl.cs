namespace Rebound.Act.WireGuard;

/// <summary>
/// Reads and changes one WireGuard interface. Failures (no such interface, daemon gone, malformed answer,
/// change refused) are <see cref="WireGuardProtocolException"/> with a one-line message.
/// </summary>
public interface IWireGuardControl
{
    string Interface { get; }

    /// <summary>How the interface is reached, for journal lines: <c>uapi /var/run/wireguard/wg0.sock</c> or <c>wg show wg0 dump</c>.</summary>
    string Describe { get; }

    ValueTask<WireGuardDeviceState> GetAsync(CancellationToken cancellationToken);

    ValueTask SetAsync(WireGuardChange change, CancellationToken cancellationToken);
}

/// <summary>Carries one UAPI request and returns the whole response (up to and including its empty line).</summary>
public interface IUapiTransport
{
    ValueTask<byte[]> ExchangeAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken);
}
