namespace Rebound.Sense.Sources;

/// <summary>
/// A retransmission timeout per source as TCP computes one (RFC 6298: SRTT + 4·RTTVAR, within a floor and a
/// ceiling), doubled after each timeout until the next answer (Karn): a silent upstream is given up on after a
/// few round trips, while a slower backup link (a failover onto 300 ms) is waited for on the next try.
/// </summary>
public sealed class AdaptiveTimeout(TimeSpan floor, TimeSpan ceiling)
{
    private double _srtt;
    private double _rttvar;
    private bool _measured;
    private int _backoff;

    /// <summary>The timeout for the next question: the ceiling until a first answer was timed.</summary>
    public TimeSpan Current
    {
        get
        {
            var baseMs = _measured ? _srtt + Math.Max(1, 4 * _rttvar) : ceiling.TotalMilliseconds;
            var ms = Math.Max(floor.TotalMilliseconds, baseMs) * (1 << Math.Min(_backoff, 6));
            return TimeSpan.FromMilliseconds(Math.Clamp(ms, floor.TotalMilliseconds, ceiling.TotalMilliseconds));
        }
    }

    public void OnAnswer(TimeSpan rtt)
    {
        var r = Math.Max(0, rtt.TotalMilliseconds);
        if (!_measured)
        {
            _srtt = r;
            _rttvar = r / 2;
            _measured = true;
        }
        else
        {
            _rttvar = (0.75 * _rttvar) + (0.25 * Math.Abs(_srtt - r));
            _srtt = (0.875 * _srtt) + (0.125 * r);
        }

        _backoff = 0;
    }

    public void OnTimeout() => _backoff++;
}
