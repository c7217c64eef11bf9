#!/usr/bin/env bash
# Footprint benchmark: what `rebound run` costs the host it runs on, next to ddclient.
#
# In a failover lab (mode masquerade, plus BIND for home.test), on the LAN host:
#   1. start-to-first-probe, STARTS times: tcpdump waits on the LAN host's eth0 for the first UDP
#      packet to port 3478; bash stamps $EPOCHREALTIME and execs `rebound run` in the same instant.
#      Latency = the first STUN request's kernel capture timestamp - the exec stamp (both wall
#      clock, same machine). The time of rebound's own `started` event (after the first round's
#      answers) is recorded beside it.
#   2. side by side for WARMUP + DURATION seconds: `rebound run` ([watch] 203.0.113.10/.11:3478 every
#      1s, two [[ddns]] rfc2136 entries against the lab's BIND) and ddclient in daemon mode
#      (daemon=60, its minimum; nsupdate; use=cmd with a fresh-socket STUN probe, as bench/ddns.sh).
#      After the warm-up, every SAMPLE seconds: VmRSS and the open file descriptors of each main
#      process, and CPU time (utime+stime+cutime+cstime from /proc/PID/stat, so ddclient's probe and
#      nsupdate children count) per window of CPU_WINDOW seconds, as % of one core.
#
# Usage: sudo bench/footprint.sh [--duration S] [--warmup S] [--starts N]   (defaults 300, 30, 10)
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
#        BENCH_LAB_PREFIX  lab id prefix (default f), e.g. a helper's own prefix
# Out:   markdown table on stdout; raw samples in bench/results/footprint-<UTC time>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh
BENCH_LIB=1 source "$ROOT/bench/detection.sh" # percentile, ms_between
source "$ROOT/bench/ddclient.sh"

DURATION=300 WARMUP=30 STARTS=10 SAMPLE=5 CPU_WINDOW=30
while (($#)); do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --starts) STARTS=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }
cd "$ROOT"
scripts/install-deps
command -v tcpdump >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tcpdump >/dev/null
ddclient_install

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi

OUT=$ROOT/bench/results/footprint-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
TICKS=$(getconf CLK_TCK)

ID=${BENCH_LAB_PREFIX:-f}$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
RPID="" DPID="" TPID=""
cleanup() {
  for p in $RPID $DPID $TPID; do kill "$p" 2>/dev/null || true; done
  "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$LAB" up "$ID" masquerade 2>/dev/null
KEY=$("$LAB" dns "$ID")
WORK=/run/rebound-lab/$ID/bench
mkdir -p "$WORK"
chmod 700 "$WORK"
LAN=rb${ID}lan

cat >"$WORK/rebound.toml" <<TOML
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$WORK/state"

[[ddns]]
provider = "rfc2136"
server = "203.0.113.53"
zone = "home.test"
names = ["gw.home.test"]
ttl = 60
key_file = "$KEY"

[[ddns]]
provider = "rfc2136"
server = "203.0.113.53"
zone = "home.test"
names = ["www.home.test"]
ttl = 300
key_file = "$KEY"
TOML

ddclient_config "$WORK" "$BIN" "$KEY" vpn.home.test

# ---- 1. start to first probe (rebound alone: ddclient's probes would be caught too)
echo "start,exec_time,first_packet_time,first_probe_ms,started_event_ms" >"$OUT/starts.csv"
for ((i = 1; i <= STARTS; i++)); do
  ip netns exec "$LAN" tcpdump -i eth0 -n -c 1 -tt --time-stamp-precision=nano 'udp dst port 3478' \
    >"$WORK/tcpdump.out" 2>"$WORK/tcpdump.err" &
  TPID=$!
  for _ in $(seq 100); do grep -q 'listening on' "$WORK/tcpdump.err" 2>/dev/null && break; sleep 0.05; done
  sleep 0.3 # "listening on" can come a moment before the filter is attached
  ip netns exec "$LAN" bash -c 'printf %s "$EPOCHREALTIME" >"$1"; shift; exec "$@"' _ "$WORK/t0" \
    "$BIN" run --config "$WORK/rebound.toml" --json >"$WORK/start.jsonl" 2>>"$OUT/rebound-starts.err" &
  RPID=$!
  wait "$TPID" || true
  TPID=""
  for _ in $(seq 100); do grep -q '"started"' "$WORK/start.jsonl" && break; sleep 0.05; done
  kill "$RPID" 2>/dev/null || true
  wait "$RPID" 2>/dev/null || true
  RPID=""
  t0=$(cat "$WORK/t0")
  t1=$(awk 'NR == 1 { print $1 }' "$WORK/tcpdump.out")
  started=$(grep -m1 '"started"' "$WORK/start.jsonl" || true)
  s_ms=""
  [[ -n $started ]] && s_ms=$(ms_between "$t0" "$(event_epoch "$started")")
  p_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  echo "$i,$t0,$t1,$p_ms,$s_ms" >>"$OUT/starts.csv"
  echo "bench: start $i/$STARTS: first probe after $p_ms ms, started event after $s_ms ms" >&2
  sleep 1
done

# ---- 2. side by side
ip netns exec "$LAN" "$BIN" run --config "$WORK/rebound.toml" --json >"$OUT/rebound.jsonl" 2>"$OUT/rebound.err" &
RPID=$!
ip netns exec "$LAN" ddclient -file "$WORK/ddclient.conf" -foreground -daemon 60 >"$OUT/ddclient.log" 2>&1 &
DPID=$!
echo "bench: warming up ${WARMUP}s, then sampling for ${DURATION}s" >&2
sleep "$WARMUP"

cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; } # utime stime cutime cstime
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

echo "tool,time,rss_kb,fds,threads,cpu_ticks" >"$OUT/samples.csv"
start=$(date +%s)
while (($(date +%s) - start < DURATION)); do
  now=$(date +%s.%N)
  for tool in rebound ddclient; do
    pid=$RPID
    [[ $tool == ddclient ]] && pid=$DPID
    [[ -d /proc/$pid ]] || { echo "bench: $tool (pid $pid) died; see $OUT" >&2; exit 1; }
    echo "$tool,$now,$(rss_kb "$pid"),$(fds "$pid"),$(threads "$pid"),$(cpu_ticks "$pid")" >>"$OUT/samples.csv"
  done
  sleep "$SAMPLE"
done

# CPU % of one core per CPU_WINDOW-second window (consecutive samples CPU_WINDOW/SAMPLE apart), and overall.
cpu_windows() { # TOOL
  awk -F, -v t="$1" -v step=$((CPU_WINDOW / SAMPLE)) -v hz="$TICKS" '
    BEGIN { n = 0 } $1 == t { time[n] = $2; tick[n] = $6; n++ }
    END { for (i = step; i < n; i += step) printf "%.3f\n", 100 * (tick[i] - tick[i - step]) / hz / (time[i] - time[i - step]) }' "$OUT/samples.csv"
}
cpu_total() { # TOOL
  awk -F, -v t="$1" -v hz="$TICKS" '$1 == t { if (!n++) { t0 = $2; c0 = $6 } t1 = $2; c1 = $6 }
    END { printf "%.3f", 100 * (c1 - c0) / hz / (t1 - t0) }' "$OUT/samples.csv"
}
col() { awk -F, -v t="$1" -v c="$2" '$1 == t { print $c }' "$OUT/samples.csv"; }
mb() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }'; }

rebound_size=$(stat -c %s "$BIN")
ddclient_size=$(stat -c %s "$(command -v ddclient)")
perl_size=$(stat -c %s "$(readlink -f "$(command -v perl)")")
# A capture that caught a later round than the first (its packet came after the `started` event,
# which needs the first round's answers) missed the start: it is counted, not used.
first=$(awk -F, 'NR > 1 && $4 != "" && ($5 == "" || $4 <= $5 + 1) { print $4 }' "$OUT/starts.csv")
missed=$(awk -F, 'NR > 1 && ($4 == "" || ($5 != "" && $4 > $5 + 1))' "$OUT/starts.csv" | grep -c . || true)
started=$(awk -F, 'NR > 1 && $5 != "" { print $5 }' "$OUT/starts.csv")
{
  echo "$(basename "$BIN") run vs ddclient $(dpkg-query -W -f='${Version}' ddclient 2>/dev/null) (daemon=60), lab mode masquerade;"
  echo "$STARTS starts; then ${WARMUP}s warm-up and ${DURATION}s sampled every ${SAMPLE}s (CPU per ${CPU_WINDOW}s window);"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  echo
  echo "| measure | rebound p50 | rebound p95 | ddclient p50 | ddclient p95 |"
  echo "|---|---|---|---|---|"
  echo "| binary size | $(mb $((rebound_size / 1024))) MB (one file) | | $((ddclient_size / 1024)) KB script + perl $(mb $((perl_size / 1024))) MB | |"
  echo "| RSS (MB) | $(mb "$(col rebound 3 | percentile 50)") | $(mb "$(col rebound 3 | percentile 95)") | $(mb "$(col ddclient 3 | percentile 50)") | $(mb "$(col ddclient 3 | percentile 95)") |"
  echo "| CPU, % of one core per ${CPU_WINDOW}s | $(cpu_windows rebound | percentile 50) | $(cpu_windows rebound | percentile 95) | $(cpu_windows ddclient | percentile 50) | $(cpu_windows ddclient | percentile 95) |"
  echo "| CPU over the whole ${DURATION}s, % | $(cpu_total rebound) | | $(cpu_total ddclient) | |"
  echo "| open file descriptors | $(col rebound 4 | percentile 50) | $(col rebound 4 | percentile 95) | $(col ddclient 4 | percentile 50) | $(col ddclient 4 | percentile 95) |"
  echo "| threads | $(col rebound 5 | percentile 50) | $(col rebound 5 | percentile 95) | $(col ddclient 5 | percentile 50) | $(col ddclient 5 | percentile 95) |"
  echo "| exec to first STUN request (ms; $missed of $STARTS captures missed the start) | $(percentile 50 <<<"$first") | $(percentile 95 <<<"$first") | | |"
  echo "| exec to \`started\` event (ms) | $(percentile 50 <<<"$started") | $(percentile 95 <<<"$started") | | |"
  echo
  echo "Raw samples: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
