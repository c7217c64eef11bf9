using System.Net;

namespace Rebound.Sense.Sources;

/// <summary>One source's answer to one question: the address it saw, or why there is none.</summary>
/// <param name="Address">The public address the source reported; null when it failed.</param>
/// <param name="Rtt">From the question to the answer (or to giving up).</param>
/// <param name="Error">Why there is no address (one line); null on success.</param>
/// <param name="Server">The address that was asked, when known: an answer from a public server must be public.</param>
/// <param name="BytesSent">Payload bytes sent: UDP payload, or for HTTP(S) and UPnP the TCP payload (TLS, headers, body).</param>
/// <param name="BytesReceived">Payload bytes received, counted the same way.</param>
public sealed record AddressAnswer(IPAddress? Address, TimeSpan Rtt, string? Error, IPAddress? Server, int BytesSent, int BytesReceived)
{
    /// <summary>The port the source saw (STUN only).</summary>
    public int? Port { get; init; }

    /// <summary>Timed out (the adaptive timeout backs off), rather than refused or malformed.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Never asked: this host lacked a resource (descriptors). Not evidence about the upstream.</summary>
    public bool LocalFailure { get; init; }

    public static AddressAnswer Failed(string error, TimeSpan rtt = default, IPAddress? server = null, bool timedOut = false) =>
        new(null, rtt, error, server, 0, 0) { TimedOut = timedOut };
}
