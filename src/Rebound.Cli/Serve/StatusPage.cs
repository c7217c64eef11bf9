using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rebound.Record;
using Rebound.Record.Status;

namespace Rebound.Cli.Serve;

/// <summary>
/// The status page: rendered on the server as one self-contained document (inline CSS and SVG, no external assets), so
/// it reads without JavaScript. The small inline script only keeps it live: on every <c>/events</c> message it fetches
/// <c>/page.html</c> (the same <c>#page</c> element, rendered again) and swaps it in, without a reload.
/// Every piece of event data goes through <see cref="Html"/>: a target, interface or error text is text, never markup.
/// </summary>
internal static class StatusPage
{
    /// <summary>Everything the page needs comes from this origin; inline script and style only.</summary>
    public const string SecurityHeaders =
        "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
        + "Referrer-Policy: no-referrer\r\n";

    /// <summary>Journal lines on the page (the journal itself: <c>/journal.json</c>, <c>rebound events</c>).</summary>
    public const int JournalLines = 50;

    private static readonly JsonWriterOptions PrettyJson = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The whole document.</summary>
    public static string Document(StatusSnapshot snapshot, StatusHistory history)
    {
        var html = new StringBuilder(64 * 1024);
        html.Append(Head);
        AppendPage(html, snapshot, history);
        html.Append(Tail);
        return html.ToString();
    }

    /// <summary>Only the <c>#page</c> element: what the script swaps in.</summary>
    public static string Fragment(StatusSnapshot snapshot, StatusHistory history)
    {
        var html = new StringBuilder(64 * 1024);
        AppendPage(html, snapshot, history);
        return html.ToString();
    }

    private static void AppendPage(StringBuilder html, StatusSnapshot s, StatusHistory history)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(history);
        html.Append("<div id=\"page\" data-now=\"").Append(Html(EventTime.Format(s.Now))).Append("\">\n");
        html.Append("<header><h1>Rebound</h1><span class=\"meta\" id=\"meta\">version ").Append(Html(s.Version))
            .Append(" · up ").Append(Html(StatusText.Duration(s.UptimeSeconds))).Append(" · since ").Append(Html(When(s.StartedAt)))
            .Append(" · times in UTC</span></header>\n<main>\n");
        AppendAddresses(html, s);
        AppendLast(html, s.LastFailover);
        html.Append("<section><h2>Health, last 24 hours</h2>");
        StatusCharts.AppendHealth(html, history.HealthLines(), s.Now);
        html.Append("</section>\n<section><h2>Failovers (last ").Append(StatusBoard.MaxFailovers).Append(", newest on top)</h2>");
        StatusCharts.AppendTimeline(html, s.Failovers);
        html.Append("</section>\n");
        AppendTargets(html, s.Targets);
        AppendAddressHistory(html, history.Addresses(), s.Now);
        AppendJournal(html, history.Events(JournalLines));
        html.Append("</main>\n</div>\n");
    }

    private static void AppendAddresses(StringBuilder html, StatusSnapshot s)
    {
        html.Append("<section><h2>Public addresses</h2><div class=\"families\" id=\"families\">");
        foreach (var f in s.Families)
        {
            var (cls, text) = f.Up switch { true => ("up", "upstream up"), false => ("down", "upstream lost"), null => ("unknown", "unknown") };
            html.Append("<div class=\"family\" data-family=\"").Append(Html(f.Family)).Append("\"><div class=\"name\">").Append(Html(f.Family))
                .Append("</div><div class=\"addr\">").Append(Html(f.Address ?? "–")).Append("</div><div class=\"state ").Append(cls).Append("\">")
                .Append(text).Append(f.Since is { } since ? " since " + Html(When(since)) : "").Append("</div></div>");
        }

        foreach (var u in s.Uplinks)
        {
            var cls = u.State switch { "up" => "up", "down" => "down", _ => "unknown" };
            html.Append("<div class=\"family\" data-uplink=\"").Append(Html(u.Interface)).Append("\"><div class=\"name\">uplink ").Append(Html(u.Interface))
                .Append("</div><div class=\"addr\">").Append(Html(u.Ipv4 ?? u.Ipv6 ?? "–")).Append("</div><div class=\"state ").Append(cls).Append("\">")
                .Append(Html(u.State)).Append(u.Since is { } since ? " since " + Html(When(since)) : "").Append("</div></div>");
        }

        html.Append("</div></section>\n");
    }

    private static void AppendLast(StringBuilder html, FailoverStatus? f)
    {
        html.Append("<section><h2>Last failover</h2><div id=\"last\">");
        if (f is null)
        {
            html.Append("<span class=\"empty\">none since start</span>");
        }
        else
        {
            html.Append("<div class=\"mono\">").Append(Html(When(f.Time))).Append(" · ").Append(Html(f.Kind)).Append(" · ").Append(Html(f.Family))
                .Append(" · ").Append(Html(f.Old ?? "none")).Append(" → ").Append(Html(f.New ?? "none"))
                .Append(" · detected in ").Append(Secs(f.DetectSeconds)).Append("</div><div id=\"last-targets\">");
            foreach (var o in f.Targets)
            {
                html.Append("<span class=\"outcome ").Append(Html(o.Result)).Append("\">").Append(Html(o.Target)).Append(": ").Append(Html(o.Result))
                    .Append(o.Seconds is { } sec ? " in " + Secs(sec) : "").Append("</span>");
            }

            if (f.Targets.Count == 0)
                html.Append("<span class=\"empty\">no target acted</span>");
            html.Append("</div>");
        }

        html.Append("</div></section>\n");
    }

    private static void AppendTargets(StringBuilder html, IReadOnlyList<TargetStatus> targets)
    {
        html.Append("<section><h2>Targets</h2><table id=\"targets\"><thead><tr><th>Target</th><th>Kind</th><th>State</th><th>Time</th><th>Detail</th></tr></thead><tbody>");
        foreach (var t in targets)
        {
            var cls = t.Result is "verified" or "published" or "unchanged" ? "up" : t.Result == "failed" ? "down" : "pending";
            var detail = string.Join(" · ", new[] { t.Address, t.Detail }.Where(d => !string.IsNullOrEmpty(d)));
            html.Append("<tr><td class=\"mono\">").Append(Html(t.Target)).Append("</td><td>").Append(Html(t.Kind)).Append("</td><td class=\"state ").Append(cls).Append("\">")
                .Append(Html(t.Result)).Append(t.Seconds is { } sec ? " in " + Secs(sec) : "").Append("</td><td>").Append(Html(When(t.Time)))
                .Append("</td><td>").Append(Html(detail)).Append("</td></tr>");
        }

        if (targets.Count == 0)
            html.Append("<tr><td class=\"empty\" colspan=\"5\">no heal or DNS activity yet</td></tr>");
        html.Append("</tbody></table></section>\n");
    }

    private static void AppendAddressHistory(StringBuilder html, IReadOnlyList<AddressChange> addresses, DateTimeOffset now)
    {
        html.Append("<section><h2>Public-address history</h2><table id=\"addresses\"><thead><tr><th>Since</th><th>Of</th><th>Address</th><th>Held</th><th>Event</th></tr></thead><tbody>");
        for (int i = 0; i < addresses.Count; i++)
        {
            var a = addresses[i];
            // Newest first: the entry that ended this one is the nearest newer one of the same subject.
            DateTimeOffset? until = null;
            for (int j = i - 1; j >= 0; j--)
            {
                if (addresses[j].Subject == a.Subject)
                {
                    until = addresses[j].Time;
                    break;
                }
            }

            var held = StatusText.Duration(((until ?? now) - a.Time).TotalSeconds) + (until is null ? " (current)" : "");
            html.Append("<tr").Append(until is null ? " class=\"current\"" : "").Append("><td>").Append(Html(When(a.Time))).Append("</td><td>").Append(Html(a.Subject))
                .Append("</td><td class=\"mono").Append(a.Address is null ? " down" : "").Append("\">").Append(Html(a.Address ?? (a.Event == "uplink-down" ? "none (uplink down)" : "none (upstream lost)")))
                .Append("</td><td>").Append(Html(held)).Append("</td><td class=\"mono\">").Append(Html(a.Event)).Append("</td></tr>");
        }

        if (addresses.Count == 0)
            html.Append("<tr><td class=\"empty\" colspan=\"5\">no public address seen yet</td></tr>");
        html.Append("</tbody></table></section>\n");
    }

    private static void AppendJournal(StringBuilder html, IReadOnlyList<HistoryEvent> events)
    {
        html.Append("<section><h2>Journal (newest first; click a line for its fields)</h2><ol id=\"journal\">");
        foreach (var (sequence, e) in events)
        {
            html.Append("<li><details data-seq=\"").Append(sequence.ToString(CultureInfo.InvariantCulture)).Append("\"><summary><time datetime=\"")
                .Append(Html(EventTime.Format(e.Time))).Append("\">").Append(Html(e.Time.UtcDateTime.ToString("MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)))
                .Append("</time> <span class=\"kind ").Append(Html(e.Source.Kind.Family.ToName())).Append("\">").Append(Html(e.Kind)).Append("</span> <span class=\"target\">")
                .Append(Html(e.Target ?? "")).Append("</span> <span class=\"text\">").Append(Html(SummaryText(e))).Append("</span></summary><pre>")
                .Append(Html(Pretty(e.Json))).Append("</pre></details></li>");
        }

        if (events.Count == 0)
            html.Append("<li class=\"empty\">no events yet</li>");
        html.Append("</ol></section>\n");
    }

    /// <summary>The line <c>rebound run</c> prints, without the time, name and target the columns already show.</summary>
    internal static string SummaryText(RecordedEvent e)
    {
        var text = e.Summary;
        if (text.StartsWith(e.Kind, StringComparison.Ordinal))
            text = text[e.Kind.Length..].TrimStart(' ', ':');
        if (e.Target is { Length: > 0 } target && text.StartsWith(target + " ", StringComparison.Ordinal))
            text = text[(target.Length + 1)..];
        return text;
    }

    private static string Pretty(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, PrettyJson))
                document.WriteTo(writer);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>HTML text and attribute values alike: the five markup characters as entities, control characters dropped.</summary>
    internal static string Html(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var clean = PrintableText.Clean(text);
        if (clean.AsSpan().IndexOfAny("<>&\"'") < 0)
            return clean;
        var html = new StringBuilder(clean.Length + 16);
        foreach (var c in clean)
        {
            html.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return html.ToString();
    }

    internal static string When(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal static string Secs(double? s) => s is not { } v ? "–" : v.ToString(v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";

    private const string Head = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="30"></noscript>
<title>Rebound status</title>
<style>
:root { --fg:#1d232b; --muted:#5d6773; --line:#dfe3e8; --bg:#f6f7f9; --card:#fff; --ok:#1a7f37; --bad:#c62828; --warn:#b07800; --accent:#0b5cad; --none:#e4e7eb; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6e9ed; --muted:#9aa4af; --line:#2e353d; --bg:#14181d; --card:#1b2027; --ok:#4ac26b; --bad:#ff6b6b; --warn:#d4a72c; --accent:#6cb6ff; --none:#2a3038; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:baseline; gap:12px; padding:14px 120px 14px 24px; border-bottom:1px solid var(--line); background:var(--card); }
header h1 { font-size:18px; margin:0; }
header .meta { color:var(--muted); }
#live { position:absolute; top:14px; right:24px; font-size:12px; padding:2px 8px; border-radius:10px; border:1px solid var(--line); color:var(--muted); background:var(--card); }
#live.on { color:var(--ok); border-color:var(--ok); }
main { max-width:1100px; margin:0 auto; padding:18px 24px 40px; display:grid; gap:18px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 18px; overflow-x:auto; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
.families { display:grid; grid-template-columns:repeat(auto-fit,minmax(220px,1fr)); gap:12px; }
.family { border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.family .name { color:var(--muted); font-size:12px; }
.family .addr { font:600 18px ui-monospace,SFMono-Regular,Menlo,monospace; word-break:break-all; }
.state { font-size:12px; font-weight:600; }
.up { color:var(--ok); } .down { color:var(--bad); } .unknown { color:var(--muted); } .pending { color:var(--warn); }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; }
td:first-child { white-space:nowrap; }
.mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; }
tr.current td { font-weight:600; }
.outcome { display:inline-block; margin:6px 6px 0 0; padding:1px 8px; border-radius:10px; border:1px solid var(--line); font-size:12px; white-space:nowrap; }
.outcome.verified, .outcome.published, .outcome.unchanged { border-color:var(--ok); color:var(--ok); }
.outcome.failed { border-color:var(--bad); color:var(--bad); }
.outcome.healing { border-color:var(--warn); color:var(--warn); }
.empty { color:var(--muted); }
svg { display:block; width:100%; height:auto; font:11px ui-monospace,SFMono-Regular,Menlo,monospace; }
svg text { fill:var(--fg); } svg text.muted, svg .axis text { fill:var(--muted); }
svg .grid { stroke:var(--line); stroke-width:1; }
svg .detect { fill:var(--accent); }
svg .verified, svg .published, svg .unchanged, svg .h-up { fill:var(--ok); }
svg .failed, svg .h-down { fill:var(--bad); }
svg .healing, svg .h-degraded { fill:var(--warn); }
svg .skipped, svg .h-unknown { fill:var(--none); }
.legend { color:var(--muted); font-size:12px; margin:6px 0 0; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin:0 4px 0 10px; vertical-align:-1px; }
.legend .l-up { background:var(--ok); } .legend .l-degraded { background:var(--warn); } .legend .l-down { background:var(--bad); } .legend .l-unknown { background:var(--none); } .legend .l-detect { background:var(--accent); }
#journal { list-style:none; margin:0; padding:0; font-size:12px; }
#journal li { border-bottom:1px solid var(--line); padding:3px 0; }
#journal summary { cursor:pointer; }
#journal time { color:var(--muted); font-family:ui-monospace,monospace; }
#journal .kind { font-family:ui-monospace,monospace; font-weight:600; }
#journal .kind.heal { color:var(--ok); } #journal .kind.ddns { color:var(--accent); } #journal .kind.hook, #journal .kind.notify { color:var(--bad); } #journal .kind.agent { color:var(--warn); }
#journal .target { font-family:ui-monospace,monospace; }
#journal pre { margin:4px 0 6px 18px; padding:8px; background:var(--bg); border-radius:4px; white-space:pre-wrap; word-break:break-all; }
</style>
</head>
<body>
<span id="live">static page</span>

""";

    // Re-renders by swapping in the server's #page; open journal details stay open.
    private const string Tail = """
<script>
"use strict";
const live = document.getElementById("live");
let pending = null, settle = null;
async function refresh() {
  pending = null;
  try {
    const r = await fetch("page.html", { cache: "no-store" });
    if (!r.ok) return;
    const fresh = new DOMParser().parseFromString(await r.text(), "text/html").getElementById("page");
    const page = document.getElementById("page");
    if (!fresh || !page) return;
    const open = new Set([...page.querySelectorAll("details[open]")].map(d => d.dataset.seq));
    for (const d of fresh.querySelectorAll("details[data-seq]")) if (open.has(d.dataset.seq)) d.open = true;
    page.replaceWith(document.adoptNode(fresh));
    document.body.dataset.updated = String(Date.now());
  } catch (e) { live.textContent = "agent not reachable"; live.className = ""; }
}
function soon() {
  if (!pending) pending = setTimeout(refresh, 100);
  clearTimeout(settle);
  settle = setTimeout(refresh, 1500);
}
function connect() {
  live.textContent = "connecting";
  const source = new EventSource("events");
  source.onopen = () => { live.textContent = "live"; live.className = "on"; soon(); };
  source.onmessage = soon;
  source.onerror = () => { live.textContent = "reconnecting"; live.className = ""; };
}
connect(); setInterval(refresh, 30000);
</script>
</body>
</html>
""";
}
