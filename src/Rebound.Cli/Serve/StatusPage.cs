namespace Rebound.Cli.Serve;

/// <summary>
/// The status page: one self-contained document (no external assets, no framework). It renders
/// <c>/status.json</c> and <c>/journal.json</c>, and re-reads them whenever <c>/events</c> delivers an event.
/// All data goes into the DOM as text (textContent), never as markup.
/// </summary>
internal static class StatusPage
{
    /// <summary>Everything the page needs comes from this origin; inline script and style only.</summary>
    public const string SecurityHeaders =
        "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"
        + "Referrer-Policy: no-referrer\r\n";

    public const string Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rebound status</title>
<style>
:root { --fg:#1d232b; --muted:#5d6773; --line:#dfe3e8; --bg:#f6f7f9; --card:#fff; --ok:#1a7f37; --bad:#c62828; --warn:#9a6700; --accent:#0b5cad; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6e9ed; --muted:#9aa4af; --line:#2e353d; --bg:#14181d; --card:#1b2027; --ok:#4ac26b; --bad:#ff6b6b; --warn:#d4a72c; --accent:#6cb6ff; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; align-items:baseline; gap:12px; padding:14px 24px; border-bottom:1px solid var(--line); background:var(--card); }
header h1 { font-size:18px; margin:0; }
header .meta { color:var(--muted); }
#live { margin-left:auto; font-size:12px; padding:2px 8px; border-radius:10px; border:1px solid var(--line); color:var(--muted); }
#live.on { color:var(--ok); border-color:var(--ok); }
main { max-width:1100px; margin:0 auto; padding:18px 24px 40px; display:grid; gap:18px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 18px; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
.families { display:grid; grid-template-columns:repeat(auto-fit,minmax(240px,1fr)); gap:12px; }
.family { border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.family .name { color:var(--muted); font-size:12px; }
.family .addr { font:600 18px ui-monospace,SFMono-Regular,Menlo,monospace; word-break:break-all; }
.state { font-size:12px; font-weight:600; }
.up { color:var(--ok); } .down { color:var(--bad); } .unknown { color:var(--muted); } .pending { color:var(--warn); }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; color:var(--muted); font-weight:600; }
td:first-child { white-space:nowrap; }
td.mono, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; }
.outcome { display:inline-block; margin:0 6px 4px 0; padding:1px 8px; border-radius:10px; border:1px solid var(--line); font-size:12px; white-space:nowrap; }
.outcome.verified, .outcome.published, .outcome.unchanged { border-color:var(--ok); color:var(--ok); }
.outcome.failed { border-color:var(--bad); color:var(--bad); }
.outcome.healing { border-color:var(--warn); color:var(--warn); }
.empty { color:var(--muted); }
#journal td { font-size:12px; }
#journal td.json { font-family:ui-monospace,monospace; color:var(--muted); word-break:break-all; }
</style>
</head>
<body>
<header><h1>Rebound</h1><span class="meta" id="meta">loading…</span><span id="live">connecting</span></header>
<main>
<section><h2>Public addresses</h2><div class="families" id="families"></div></section>
<section><h2>Last failover</h2><div id="last"></div></section>
<section><h2>Targets</h2><table id="targets"><thead><tr><th>Target</th><th>Kind</th><th>State</th><th>Time</th><th>Detail</th></tr></thead><tbody></tbody></table></section>
<section><h2>Recent failovers</h2><table id="failovers"><thead><tr><th>Time</th><th>Event</th><th>Family</th><th>Old → new</th><th>Detect</th><th>Heal / publish per target</th></tr></thead><tbody></tbody></table></section>
<section><h2>Journal</h2><table id="journal"><thead><tr><th>Time</th><th>Event</th><th>Details</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
function secs(s) { return s === null || s === undefined ? "–" : (s < 10 ? s.toFixed(2) : s.toFixed(1)) + " s"; }
function when(t) { if (!t) return "–"; const d = new Date(t); return d.toLocaleString(undefined, { hour12:false }); }
function uptime(s) { s = Math.floor(s); const d = Math.floor(s/86400), h = Math.floor(s%86400/3600), m = Math.floor(s%3600/60); return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : m ? `${m}m ${s%60}s` : `${s%60}s`; }
function outcomes(list) {
  const td = el("td");
  if (!list.length) { td.append(el("span", "empty", "–")); return td; }
  for (const o of list) { td.append(el("span", "outcome " + o.result, `${o.target}: ${o.result}${o.seconds !== null ? " in " + secs(o.seconds) : ""}`)); }
  return td;
}
function row(cells) { const tr = el("tr"); for (const c of cells) tr.append(c instanceof Node ? c : el("td", null, c)); return tr; }
function fill(id, rows, emptyText, span) {
  const body = $(id).tBodies[0]; body.replaceChildren(...rows);
  if (!rows.length) { const td = el("td", "empty", emptyText); td.colSpan = span; body.append(row([td])); }
}
function renderStatus(s) {
  $("meta").textContent = `version ${s.version} · up ${uptime(s.uptimeSeconds)} · since ${when(s.startedAt)}`;
  $("families").replaceChildren(...s.families.map(f => {
    const box = el("div", "family"); box.dataset.family = f.family;
    const state = f.up === true ? ["up", "upstream up"] : f.up === false ? ["down", "upstream lost"] : ["unknown", "unknown"];
    box.append(el("div", "name", f.family), el("div", "addr", f.address ?? "–"), el("div", "state " + state[0], state[1] + (f.since ? " since " + when(f.since) : "")));
    return box;
  }));
  const last = $("last"); last.replaceChildren();
  if (s.lastFailover) {
    const f = s.lastFailover;
    last.append(el("div", "mono", `${when(f.time)} · ${f.kind} · ${f.family} · ${f.old ?? "none"} → ${f.new ?? "none"} · detected in ${secs(f.detectSeconds)}`));
    const t = el("div"); t.id = "last-targets"; t.append(...outcomes(f.targets).childNodes); last.append(t);
  } else { last.append(el("span", "empty", "none since start")); }
  fill("targets", s.targets.map(t => row([el("td", "mono", t.target), t.kind,
    el("td", "state " + (["verified","published","unchanged"].includes(t.result) ? "up" : t.result === "failed" ? "down" : "pending"), t.result + (t.seconds !== null ? " in " + secs(t.seconds) : "")),
    when(t.time), [t.address, t.detail].filter(Boolean).join(" · ")])), "no heal or DNS activity yet", 5);
  fill("failovers", s.failovers.map(f => row([when(f.time), f.kind, f.family, el("td", "mono", `${f.old ?? "none"} → ${f.new ?? "none"}`), secs(f.detectSeconds), outcomes(f.targets)])), "no failover since start", 6);
}
function renderJournal(events) {
  fill("journal", events.slice().reverse().map(e => {
    const { time, event, ...rest } = e;
    return row([when(time), el("td", "mono", event), el("td", "json", JSON.stringify(rest))]);
  }), "no events yet", 3);
}
let pending = null;
async function refresh() {
  pending = null;
  try {
    const [s, j] = await Promise.all([fetch("status.json", { cache: "no-store" }), fetch("journal.json?limit=30", { cache: "no-store" })]);
    if (s.ok) renderStatus(await s.json());
    if (j.ok) renderJournal(await j.json());
    document.body.dataset.updated = String(Date.now());
  } catch (e) { $("meta").textContent = "agent not reachable"; }
}
// The journal is written in the background, so the last event of a burst may not be in it yet after 100 ms:
// read again once the burst has settled.
let settle = null;
function soon() {
  if (!pending) pending = setTimeout(refresh, 100);
  clearTimeout(settle);
  settle = setTimeout(refresh, 1500);
}
function connect() {
  const source = new EventSource("events");
  source.onopen = () => { $("live").textContent = "live"; $("live").className = "on"; soon(); };
  source.onmessage = soon;
  source.onerror = () => { $("live").textContent = "reconnecting"; $("live").className = ""; };
}
refresh(); connect(); setInterval(refresh, 30000);
</script>
</body>
</html>
""";
}
