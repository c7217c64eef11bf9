namespace Rebound.Sense.Stun;

/// <summary>Asks one STUN server for our public address, from a fresh socket every time.</summary>
public interface IStunProber
{
    /// <summary>Never throws for network or protocol failures: those come back as a failed result.</summary>
    Task<StunProbeResult> ProbeAsync(StunServer server, CancellationToken cancellationToken);

    /// <summary>As <see cref="ProbeAsync(StunServer, CancellationToken)"/>, giving up after <paramref name="timeout"/> (the watcher's adaptive timeout).</summary>
    Task<StunProbeResult> ProbeAsync(StunServer server, TimeSpan timeout, CancellationToken cancellationToken) => ProbeAsync(server, cancellationToken);
}
