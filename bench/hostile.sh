#!/usr/bin/env bash
# Hostile-local-user benchmark (issue 16): connection floods against `rebound run` while it probes.
#
# In a failover lab (mode masquerade), on the LAN host: `rebound run` ([watch] 203.0.113.10/.11:3478 every
# 1s, [http] listen 127.0.0.1:9464 on the LAN namespace's loopback, a control socket) runs with the
# descriptor limit of a unit without LimitNOFILE (--limit, default 1024 soft and hard, so it cannot raise
# its way out). lab/tools/connflood.py, also in the LAN namespace, opens WAVES waves of 1500 TCP connections
# to the HTTP port and 200 to the control socket every 4 s, never closing them. Meanwhile, every second:
# `rebound status --config` (timed, exit code kept), the agent's open descriptors (/proc/PID/fd) and CPU
# time (utime+stime, per second, % of one core).
# Reported: false WAN events after `started` (upstream-lost/-restored, public-address-changed,
# sources-degraded; goal 0), status answer time median/p95/max and failures, descriptors max, CPU mean/max.
#
# Usage: sudo bench/hostile.sh [--waves N] [--limit SOFT:HARD]   (defaults 12, 1024:1024)
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
#        REBOUND_LAB_PREFIX  lab id prefix (default h)
# Out:   markdown table on stdout; raw samples in bench/results/hostile-<UTC time>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh
BENCH_LIB=1 source "$ROOT/bench/detection.sh" # percentile

WAVES=12 LIMIT=1024:1024
while (($#)); do
  case $1 in
    --waves) WAVES=$2; shift ;;
    --limit) LIMIT=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $WAVES =~ ^[1-9][0-9]*$ ]] || { echo "bench: --waves takes a positive number" >&2; exit 2; }
[[ $LIMIT =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || { echo "bench: --limit takes SOFT:HARD" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }
cd "$ROOT"

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi

OUT=$ROOT/bench/results/hostile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
TICKS=$(getconf CLK_TCK)
PREFIX=${REBOUND_LAB_PREFIX:-h}
ID=$PREFIX$(printf '%04x' $((RANDOM % 65536)))
ID=${ID:0:8}
RPID="" FPID=""
cleanup() {
  for p in $FPID $RPID; do kill "$p" 2>/dev/null || true; done
  "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$LAB" up "$ID" masquerade 2>/dev/null
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

[http]
listen = "127.0.0.1:9464"
control_socket = "$WORK/control.sock"
TOML

# ip netns exec and prlimit both exec: $! is the agent itself.
ip netns exec "$LAN" prlimit --nofile="$LIMIT" -- "$BIN" run --config "$WORK/rebound.toml" --json >"$OUT/events.jsonl" 2>"$OUT/agent.stderr" &
RPID=$!
for _ in $(seq 200); do grep -q '"event":"started"' "$OUT/events.jsonl" 2>/dev/null && break; sleep 0.1; done
grep -q '"event":"started"' "$OUT/events.jsonl" || { echo "bench: rebound did not start" >&2; cat "$OUT/agent.stderr" >&2; exit 1; }
sleep 2

cpu() { awk '{ print $14 + $15 }' "/proc/$RPID/stat"; }
ip netns exec "$LAN" python3 "$ROOT/lab/tools/connflood.py" --tcp 127.0.0.1:9464 --unix "$WORK/control.sock" \
  --per-wave 1500 --unix-per-wave 200 --every 4 --waves "$WAVES" >"$OUT/flood.log" 2>&1 &
FPID=$!
echo "time status_ms status_exit fds cpu_pct" >"$OUT/samples.txt"
last=$(cpu)
while kill -0 "$FPID" 2>/dev/null; do
  t0=$(date +%s%N)
  rc=0
  ip netns exec "$LAN" "$BIN" status --config "$WORK/rebound.toml" >>"$OUT/status.out" 2>>"$OUT/status.err" || rc=$?
  t1=$(date +%s%N)
  fds=$(ls "/proc/$RPID/fd" | wc -l)
  now=$(cpu)
  sleep_left=$(awk -v d=$(((t1 - t0) / 1000000)) 'BEGIN { s = 1 - d / 1000; print (s > 0 ? s : 0) }')
  sleep "$sleep_left"
  elapsed=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }')
  now=$(cpu)
  echo "$(date +%s) $(((t1 - t0) / 1000000)) $rc $fds $(awk -v a="$last" -v b="$now" -v t="$TICKS" -v e="$elapsed" 'BEGIN { printf "%.1f", 100 * (b - a) / t / e }')" >>"$OUT/samples.txt"
  last=$now
done
sleep 5 # the flood is over: give a late false event time to show
kill -0 "$RPID" 2>/dev/null || { echo "bench: the agent exited during the flood" >&2; cat "$OUT/agent.stderr" >&2; exit 1; }

false_events=$(sed -n '/"event":"started"/,$p' "$OUT/events.jsonl" | grep -cE '"event":"(upstream-lost|upstream-restored|public-address-changed|sources-degraded)"' || true)
connections=$(awk '{ t += $5; u += $7 } END { print t + 0 " TCP, " u + 0 " control socket" }' "$OUT/flood.log")
col() { awk -v c="$1" 'NR > 1 { print $c }' "$OUT/samples.txt"; }
failures=$(awk 'NR > 1 && $3 != 0' "$OUT/samples.txt" | wc -l)
samples=$(($(wc -l <"$OUT/samples.txt") - 1))
cat <<MD
| measure | value |
|---|---|
| flood | $WAVES waves every 4 s, never closed: $connections connections |
| agent descriptor limit | $LIMIT (soft:hard) |
| false WAN events (goal 0) | $false_events |
| \`rebound status\` answer, median / p95 / max | $(col 2 | percentile 50) / $(col 2 | percentile 95) / $(col 2 | percentile 100) ms ($samples runs, $failures failed) |
| agent open descriptors, max | $(col 4 | percentile 100) |
| agent CPU, median / max (% of one core, 1 s windows) | $(col 5 | percentile 50) / $(col 5 | percentile 100) |
MD
