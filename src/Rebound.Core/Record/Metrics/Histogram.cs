using System.Text;

namespace Rebound.Record.Metrics;

/// <summary>A cumulative Prometheus histogram of seconds for one label set. Not thread-safe: the registry locks.</summary>
internal sealed class Histogram(IReadOnlyList<double> bounds)
{
    private readonly long[] _counts = new long[bounds.Count];

    public double Sum { get; private set; }

    public long Count { get; private set; }

    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        for (int i = 0; i < bounds.Count; i++)
        {
            if (value <= bounds[i])
            {
                _counts[i]++;
                break;
            }
        }

        Sum += value;
        Count++;
    }

    /// <summary>Writes <c>_bucket</c> lines (cumulative, ending with <c>le="+Inf"</c>), <c>_sum</c> and <c>_count</c>.</summary>
    public void Write(StringBuilder text, string name, string[] labels)
    {
        var withLe = new string[labels.Length + 2];
        labels.CopyTo(withLe, 0);
        withLe[^2] = "le";
        long cumulative = 0;
        for (int i = 0; i < bounds.Count; i++)
        {
            cumulative += _counts[i];
            withLe[^1] = PrometheusText.Number(bounds[i]);
            PrometheusText.Sample(text, name + "_bucket", withLe, cumulative);
        }

        withLe[^1] = "+Inf";
        PrometheusText.Sample(text, name + "_bucket", withLe, Count);
        PrometheusText.Sample(text, name + "_sum", labels, Sum);
        PrometheusText.Sample(text, name + "_count", labels, Count);
    }
}
