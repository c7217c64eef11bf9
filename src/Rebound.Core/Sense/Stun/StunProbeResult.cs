using System.Net;

namespace Rebound.Sense.Stun;

/// <summary>The outcome of one fresh-socket Binding probe to one server.</summary>
/// <param name="Server">The server that was asked.</param>
/// <param name="Mapped">The reflexive transport address the server saw, or null when the probe failed.</param>
/// <param name="Rtt">Time from the first transmission to the accepted response (or to giving up).</param>
/// <param name="Error">Why the probe failed (timeout, error response, unreachable); null on success.</param>
/// <param name="BytesSent">UDP payload bytes sent, retransmissions included.</param>
/// <param name="BytesReceived">UDP payload bytes received, ignored datagrams included.</param>
public sealed record StunProbeResult(
    StunServer Server,
    IPEndPoint? Mapped,
    TimeSpan Rtt,
    string? Error,
    int BytesSent,
    int BytesReceived)
{
    public bool Succeeded => Mapped is not null;

    /// <summary>How many Binding requests went out (first transmission plus retransmissions).</summary>
    public int Transmissions { get; init; }

    /// <summary>
    /// The probe never left this host because it lacked a resource (no descriptor: EMFILE/ENFILE). Says nothing
    /// about the upstream, so it must never count as loss.
    /// </summary>
    public bool LocalFailure { get; init; }

    /// <summary>Datagrams that arrived but were not accepted: unparseable, wrong transaction ID, wrong source.</summary>
    public int IgnoredDatagrams { get; init; }
}
