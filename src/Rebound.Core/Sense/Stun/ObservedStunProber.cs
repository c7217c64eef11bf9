namespace Rebound.Sense.Stun;

/// <summary>A prober that tells an observer about every probe (for metrics: probes and bytes on the wire).</summary>
public sealed class ObservedStunProber(IStunProber inner, Action<StunProbeResult> observe) : IStunProber
{
    public async Task<StunProbeResult> ProbeAsync(StunServer server, CancellationToken cancellationToken)
    {
        var result = await inner.ProbeAsync(server, cancellationToken);
        observe(result);
        return result;
    }

    public async Task<StunProbeResult> ProbeAsync(StunServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await inner.ProbeAsync(server, timeout, cancellationToken);
        observe(result);
        return result;
    }
}
