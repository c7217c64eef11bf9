using System.Net;
using System.Net.Sockets;

namespace Rebound.Sense.Stun;

/// <summary>
/// How hard one probe tries. The defaults give up after one second: this is a liveness check, not
/// the RFC 8489 reliability schedule (which would take 39.5 s to declare a failure).
/// </summary>
public sealed class StunProberOptions
{
    /// <summary>Total time one probe may take, from the first transmission.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Wait before the first retransmission; doubles after each one.</summary>
    public TimeSpan RetransmitInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Binding requests sent at most, the first included.</summary>
    public int MaxTransmissions { get; init; } = 3;

    /// <summary>SOFTWARE attribute to send, or null to send none (smaller requests, less fingerprinting).</summary>
    public string? Software { get; init; }

    /// <summary>Add FINGERPRINT to requests, which helps servers that share the port with other protocols.</summary>
    public bool Fingerprint { get; init; } = true;

    /// <summary>
    /// Where the probe's socket must leave (router mode probes each WAN on its own): the local address to bind
    /// (null: any) and what to set on the socket before binding (device, mark). Null: the host's routing decides.
    /// </summary>
    public IPAddress? LocalAddress { get; init; }

    /// <inheritdoc cref="LocalAddress"/>
    public Action<Socket>? PrepareSocket { get; init; }

    /// <summary>Test seam: makes the probe's UDP socket (null: a new one of the target's family).</summary>
    internal Func<AddressFamily, Socket>? CreateSocket { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetransmitInterval, TimeSpan.Zero, nameof(RetransmitInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTransmissions, 1, nameof(MaxTransmissions));
    }
}
