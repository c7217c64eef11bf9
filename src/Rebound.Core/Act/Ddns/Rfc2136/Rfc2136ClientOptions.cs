using System.Net;

namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>Where and how <see cref="Rfc2136Client"/> talks to the primary server.</summary>
public sealed class Rfc2136ClientOptions
{
    /// <summary>The authoritative (primary) server, usually port 53.</summary>
    public required IPEndPoint Server { get; init; }

    /// <summary>Signs every request and requires signed responses; null sends unsigned requests.</summary>
    public TsigKey? Key { get; init; }

    /// <summary>How long to wait for an answer to each UDP transmission, and for the whole TCP exchange.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>UDP retransmissions after the first transmission.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Skip UDP and use TCP right away.</summary>
    public bool TcpOnly { get; init; }

    /// <summary>TSIG fudge (seconds of clock difference the server should accept).</summary>
    public ushort Fudge { get; init; } = Tsig.DefaultFudge;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Server, nameof(Server));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
    }
}
