using System.Globalization;
using System.Text;

namespace Rebound.Record.Status;

/// <summary>The snapshot for a terminal (<c>rebound status</c> without <c>--json</c>).</summary>
public static class StatusText
{
    public static string Render(StatusSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"rebound {snapshot.Version}, up {Duration(snapshot.UptimeSeconds)} (since {EventTime.Format(snapshot.StartedAt)})\n");
        foreach (var f in snapshot.Families)
        {
            var state = f.Up switch { true => "up", false => "LOST", null => "unknown" };
            var since = f.Since is { } s ? $" since {EventTime.Format(s)}" : "";
            text.Append(CultureInfo.InvariantCulture, $"  {f.Family}: {f.Address ?? "-"} (upstream {state}{since})\n");
        }

        if (snapshot.Uplinks.Count > 0)
        {
            text.Append("uplinks:\n");
            foreach (var u in snapshot.Uplinks)
            {
                var since = u.Since is { } s ? $" since {EventTime.Format(s)}" : "";
                text.Append(CultureInfo.InvariantCulture, $"  {u.Interface}: {u.State}{since}, ipv4 {u.Ipv4 ?? "-"}, ipv6 {u.Ipv6 ?? "-"}\n");
            }
        }

        if (snapshot.LastFailover is { } last)
        {
            text.Append("last failover:\n");
            AppendFailover(text, last);
        }
        else
        {
            text.Append("last failover: none since start\n");
        }

        if (snapshot.Targets.Count > 0)
        {
            text.Append("targets:\n");
            foreach (var t in snapshot.Targets)
            {
                var seconds = t.Seconds is { } sec ? $" in {Seconds(sec)}" : "";
                var address = t.Address is { } a ? $" {a}" : "";
                var detail = string.IsNullOrEmpty(t.Detail) ? "" : $" ({t.Detail})";
                text.Append(CultureInfo.InvariantCulture, $"  {t.Target} [{t.Kind}] {t.Result}{address}{seconds} at {EventTime.Format(t.Time)}{detail}\n");
            }
        }

        if (snapshot.Failovers.Count > 1)
        {
            AppendTimeline(text, snapshot.Failovers);
        }

        return text.ToString();
    }

    private static void AppendFailover(StringBuilder text, FailoverStatus f)
    {
        var detect = f.DetectSeconds is { } d ? $", detected in {Seconds(d)}" : "";
        text.Append(CultureInfo.InvariantCulture, $"  {EventTime.Format(f.Time)} {f.Kind} {f.Family} {f.Old ?? "none"} -> {f.New ?? "none"}{detect}\n");
        foreach (var o in f.Targets)
        {
            var seconds = o.Seconds is { } s ? $" in {Seconds(s)}" : "";
            var action = o.Action is { } a ? $" ({a})" : "";
            text.Append(CultureInfo.InvariantCulture, $"    {o.Target} [{o.Kind}] {o.Result}{seconds}{action}\n");
        }
    }

    /// <summary>
    /// One line per failover, newest first: when, what, then a bar per phase, one character per
    /// <see cref="SecondsPerMark"/> (at least one): <c>d</c> detection, <c>=</c> the slowest target until healed
    /// or published, <c>x</c> when a target failed.
    /// </summary>
    private static void AppendTimeline(StringBuilder text, IReadOnlyList<FailoverStatus> failovers)
    {
        text.Append(CultureInfo.InvariantCulture, $"failovers ({failovers.Count}, newest first; d = detect, = = heal/publish, x = failed, one mark per {SecondsPerMark:0.#} s):\n");
        foreach (var f in failovers)
        {
            var detect = f.DetectSeconds is { } d ? new string('d', Marks(d)) : "";
            var slowest = f.Targets.Where(o => o.Seconds is not null).Select(o => o.Seconds!.Value).DefaultIfEmpty().Max();
            var failed = f.Targets.Count(o => o.Result == "failed");
            var heal = f.Targets.Count == 0 ? "" : new string('=', Marks(slowest)) + new string('x', Math.Min(failed, 5));
            var ok = f.Targets.Count - failed;
            var summary = f.Targets.Count == 0 ? "no targets" : $"{ok}/{f.Targets.Count} ok{(slowest > 0 ? $" in {Seconds(slowest)}" : "")}";
            text.Append(CultureInfo.InvariantCulture, $"  {EventTime.Format(f.Time)} {f.Kind,-22} {f.Family} {detect}{heal} {summary}\n");
        }
    }

    private const double SecondsPerMark = 0.5;

    private static int Marks(double seconds) => Math.Clamp((int)Math.Ceiling(seconds / SecondsPerMark), 1, 40);

    public static string Seconds(double seconds) =>
        seconds < 10 ? seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : seconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    /// <summary>An uptime: <c>3d 2h 5m</c>, <c>4m 10s</c>.</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Floor(seconds)));
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h {t.Minutes}m"
            : t.TotalHours >= 1 ? $"{t.Hours}h {t.Minutes}m"
            : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds}s"
            : $"{t.Seconds}s";
    }
}
