using System.Globalization;
using System.Text;
using Rebound.Record.Status;
using static Rebound.Cli.Serve.StatusPage;

namespace Rebound.Cli.Serve;

/// <summary>The status page's two pictures as inline SVG: the health strips and the failover timeline.</summary>
internal static class StatusCharts
{
    /// <summary>96 slices of 15 minutes: short enough to place an outage, wide enough to see one.</summary>
    public const int Buckets = 96;

    private const int Width = 1000;
    private const int StripLeft = 210;
    private const int StripRight = 990;
    private const int StripRow = 18;

    private const int BarsLeft = 330;
    private const int BarsRight = 900;
    private const int Row = 14;

    public static void AppendHealth(StringBuilder html, IReadOnlyList<HealthLine> lines, DateTimeOffset now)
    {
        if (lines.Count == 0)
        {
            html.Append("<p class=\"empty\" id=\"health\">no events yet</p>");
            return;
        }

        var height = (lines.Count * StripRow) + 22;
        html.Append(CultureInfo.InvariantCulture, $"<svg id=\"health\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"health over the last 24 hours\">");
        var slice = (StripRight - StripLeft) / (double)Buckets;
        var start = now - StatusHistory.Window;
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var y = i * StripRow;
            var current = line.Changes.Count > 0 ? line.Changes[^1].State : Health.Unknown;
            html.Append("<g class=\"strip\" data-subject=\"").Append(Html(line.Subject)).Append("\" data-state=\"").Append(Name(current)).Append("\">")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 12}\">").Append(Html(Shorten(line.Subject, 26))).Append("<title>")
                .Append(Html(line.Subject)).Append(": ").Append(Name(current)).Append(" now</title></text>");
            var buckets = StatusHistory.Buckets(line, now, Buckets);
            for (int b = 0; b < Buckets; b++)
            {
                var from = start + (StatusHistory.Window / Buckets * b);
                html.Append(CultureInfo.InvariantCulture, $"<rect class=\"h-{Name(buckets[b])}\" data-state=\"{Name(buckets[b])}\" x=\"{StripLeft + (b * slice):0.#}\" y=\"{y + 2}\" width=\"{slice - 1:0.#}\" height=\"{StripRow - 5}\"><title>")
                    .Append(Html(from.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture))).Append('–')
                    .Append(Html((b == Buckets - 1 ? now : from + (StatusHistory.Window / Buckets)).UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)))
                    .Append(" UTC: ").Append(Name(buckets[b])).Append("</title></rect>");
            }

            html.Append("</g>");
        }

        var axisY = (lines.Count * StripRow) + 14;
        html.Append("<g class=\"axis\">");
        for (int h = 0; h <= 24; h += 6)
        {
            var x = StripLeft + ((StripRight - StripLeft) * h / 24.0);
            var label = h == 24 ? "now" : $"−{24 - h} h";
            var anchor = h == 0 ? "start" : h == 24 ? "end" : "middle";
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{axisY}\" text-anchor=\"{anchor}\">{label}</text>");
        }

        html.Append("</g></svg>")
            .Append("<p class=\"legend\">each slice is 15 minutes, coloured by the worst state in it:<i class=\"l-up\"></i>up<i class=\"l-degraded\"></i>degraded (healing, some sources failing, DNS retrying)<i class=\"l-down\"></i>down<i class=\"l-unknown\"></i>no data</p>");
    }

    public static void AppendTimeline(StringBuilder html, IReadOnlyList<FailoverStatus> failovers)
    {
        if (failovers.Count == 0)
        {
            html.Append("<p class=\"empty\" id=\"timeline\">no failover since start</p>");
            return;
        }

        // One scale for all rows, so bars compare: the slowest failover (detection plus its slowest target) fills it.
        var longest = failovers.Max(f => (f.DetectSeconds ?? 0) + f.Targets.Select(t => t.Seconds ?? 0).DefaultIfEmpty().Max());
        var scale = NiceCeiling(Math.Max(longest, 1));
        var pixels = (BarsRight - BarsLeft) / scale;
        var top = 16;
        var height = top + failovers.Sum(f => (1 + f.Targets.Count) * Row + 6);

        html.Append(CultureInfo.InvariantCulture, $"<svg id=\"timeline\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"the last failovers: detection and each target's heal or publish\" data-scale=\"{scale:0.###}\">");
        html.Append("<g class=\"axis\">");
        for (int i = 0; i <= 4; i++)
        {
            var x = BarsLeft + ((BarsRight - BarsLeft) * i / 4.0);
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{top - 4}\" y2=\"{height}\"/><text x=\"{x:0.#}\" y=\"10\" text-anchor=\"middle\">{scale * i / 4:0.##} s</text>");
        }

        html.Append("</g>");
        var y = top;
        foreach (var f in failovers)
        {
            var detect = f.DetectSeconds ?? 0;
            html.Append("<g class=\"failover\" data-kind=\"").Append(Html(f.Kind)).Append("\" data-family=\"").Append(Html(f.Family)).Append("\"><title>")
                .Append(Html(When(f.Time))).Append(' ').Append(Html(f.Kind)).Append(' ').Append(Html(f.Family)).Append(' ').Append(Html(f.Old ?? "none"))
                .Append(" → ").Append(Html(f.New ?? "none")).Append(", detected in ").Append(Secs(f.DetectSeconds)).Append("</title>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 10}\">")
                .Append(Html(f.Time.UtcDateTime.ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append(' ').Append(Html(Shorten(f.Kind, 22))).Append(' ').Append(Html(f.Family))
                .Append("</text>");
            if (f.DetectSeconds is { } d)
            {
                html.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar detect\" x=\"{BarsLeft}\" y=\"{y + 2}\" width=\"{Math.Max(2, d * pixels):0.#}\" height=\"9\"><title>detected in {Secs(d)}</title></rect>")
                    .Append(CultureInfo.InvariantCulture, $"<text class=\"muted\" x=\"{BarsLeft + Math.Max(2, d * pixels) + 4:0.#}\" y=\"{y + 10}\">detect {Secs(d)}</text>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<text class=\"muted\" x=\"{BarsLeft}\" y=\"{y + 10}\">detect time unknown</text>");
            }

            y += Row;
            foreach (var t in f.Targets)
            {
                var x = BarsLeft + (detect * pixels);
                var width = t.Seconds is { } s ? Math.Max(2, s * pixels) : 4;
                var label = t.Result + (t.Seconds is { } sec ? " " + Secs(sec) : "");
                html.Append("<g class=\"target\" data-target=\"").Append(Html(t.Target)).Append("\" data-result=\"").Append(Html(t.Result)).Append("\">")
                    .Append(CultureInfo.InvariantCulture, $"<text class=\"muted\" x=\"{BarsLeft - 8}\" y=\"{y + 10}\" text-anchor=\"end\">").Append(Html(Shorten(t.Target, 24))).Append("</text>")
                    .Append(CultureInfo.InvariantCulture, $"<rect class=\"bar {Html(t.Result)}\" x=\"{x:0.#}\" y=\"{y + 2}\" width=\"{width:0.#}\" height=\"9\"><title>")
                    .Append(Html(t.Target)).Append(": ").Append(Html(label)).Append(t.Action is { } a ? " (" + Html(a) + ")" : "").Append("</title></rect>")
                    .Append(CultureInfo.InvariantCulture, $"<text x=\"{x + width + 4:0.#}\" y=\"{y + 10}\">").Append(Html(label)).Append("</text></g>");
                y += Row;
            }

            html.Append("</g>");
            y += 6;
        }

        html.Append("</svg><p class=\"legend\">time from the first sign of the change:<i class=\"l-detect\"></i>detection<i class=\"l-up\"></i>healed or published<i class=\"l-degraded\"></i>still healing<i class=\"l-down\"></i>failed</p>");
    }

    private static string Name(Health state) => state switch
    {
        Health.Up => "up",
        Health.Degraded => "degraded",
        Health.Down => "down",
        _ => "unknown",
    };

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>1, 2, 5 × 10ⁿ at or above <paramref name="seconds"/>.</summary>
    internal static double NiceCeiling(double seconds)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(seconds)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * power >= seconds - 1e-9)
                return step * power;
        }

        return 10 * power;
    }
}
