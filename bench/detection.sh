#!/usr/bin/env bash
# Detection benchmark: how long after the router switches does `rebound watch` report it?
#
# For each lab mode, N failover+failback cycles with rebound running in the lab's LAN host.
# Before each switch a random delay, so the switch lands at a random phase of the probe interval.
# Latency = the event's "time" - the switch time printed by lab.sh (same machine clock).
# Also measures probe traffic on the wire (nftables counters on the ISP links, UDP port 3478).
#
# Usage: bench/detection.sh [--cycles N] [--modes "masquerade pinned renumber blackhole"]
#                           [--interval 1s] [--probe-timeout DURATION] [--timeout SECONDS]
#                           [--netem DELAY]   (e.g. 300ms: WAN2's round-trip time, lab.sh netem; a false
#                                              upstream-lost then shows as a spurious event)
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
#        BENCH_LAB_PREFIX  lab id prefix (default b), e.g. a helper's own prefix
# Out:   markdown table on stdout; raw samples and event logs in bench/results/<UTC time>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh

# ---- helpers (each testable on its own: source this file with BENCH_LIB=1)
# RFC 3339 UTC with milliseconds -> unix seconds with 3 decimals.
event_epoch() { jq -r '((.time[0:19] + "Z") | fromdateiso8601 | tostring) + "." + .time[20:23]' <<<"$1"; }
# Milliseconds between two unix times given as decimal strings.
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
# Does this event line match the expected one? EXPECT is "changed:OLD:NEW", "lost" or "restored:ADDR".
matches() { # LINE EXPECT
  local kind=${2%%:*} rest=${2#*:}
  case $kind in
    changed) jq -e --arg o "${rest%%:*}" --arg n "${rest#*:}" \
      '.event == "public-address-changed" and .family == "ipv4" and .old == $o and .new == $n' <<<"$1" >/dev/null ;;
    lost) jq -e '.event == "upstream-lost" and .family == "ipv4"' <<<"$1" >/dev/null ;;
    restored) jq -e --arg a "$rest" '.event == "upstream-restored" and .family == "ipv4" and .address == $a' <<<"$1" >/dev/null ;;
    *) return 1 ;;
  esac
}
# Nearest-rank percentile of numbers on stdin.
percentile() { sort -n | awk -v p="$1" 'NF { v[++n] = $1 } END { if (n == 0) { print "-"; exit } i = int((p / 100) * n + 0.999999); if (i < 1) i = 1; print v[i] }'; }
# Sum of bytes (or packets) of both STUN counters: "lab.sh counters" prints name/value pairs.
traffic() { # ID bytes|packets
  "$LAB" counters "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i += 2) if ($i ~ "_" k "$") s += $(i + 1) } END { print s + 0 }'
}
random_delay() { awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 2 + r / 32768 }'; } # 2.000 .. 3.000 s
[[ ${BENCH_LIB:-} == 1 ]] && return 0

cd "$ROOT"

CYCLES=20 MODES="masquerade pinned renumber blackhole" INTERVAL=1s PROBE_TIMEOUT=1s TIMEOUT=30 STEADY=10 NETEM=""
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --interval) INTERVAL=$2; shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    --probe-timeout) PROBE_TIMEOUT=$2; shift ;;
    --netem) NETEM=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $CYCLES =~ ^[0-9]+$ ]] && ((CYCLES > 0)) || { echo "--cycles must be a positive integer" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }

scripts/install-deps

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  echo "bench: publishing the AOT binary to artifacts/publish" >&2
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi
[[ -x $BIN ]] || { echo "bench: $BIN is not executable" >&2; exit 2; }

OUT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
SAMPLES=$OUT/samples.csv
echo "mode,direction,cycle,switch_time,event_time,latency_ms,event,spurious" >"$SAMPLES"
TRAFFIC=$OUT/traffic.csv
echo "mode,steady_seconds,steady_bytes,steady_packets,run_seconds,run_bytes,run_packets" >"$TRAFFIC"

ID="" RPID=""
cleanup() {
  [[ -n $RPID ]] && kill "$RPID" 2>/dev/null || true
  [[ -n $ID ]] && "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT


# Waits for the event EXPECT after line LINES of EVENTS; prints "EVENT_LINE<TAB>SPURIOUS_COUNT" or fails.
wait_event() { # EVENTS LINES EXPECT
  local events=$1 seen=$2 expect=$3 spurious=0 deadline line
  deadline=$(($(date +%s) + TIMEOUT))
  while (($(date +%s) < deadline)); do
    while (($(wc -l <"$events") > seen)); do
      seen=$((seen + 1))
      line=$(sed -n "${seen}p" "$events")
      if matches "$line" "$expect"; then
        printf '%s\t%s\t%s\n' "$seen" "$spurious" "$line"
        return 0
      fi
      spurious=$((spurious + 1))
      echo "bench: unexpected event: $line" >&2
    done
    kill -0 "$RPID" 2>/dev/null || { echo "bench: rebound exited" >&2; return 1; }
    sleep 0.02
  done
  printf '%s\t%s\t\n' "$seen" "$spurious"
  return 1
}

run_mode() { # MODE
  local mode=$1 events lines=0 sw_t expect_over expect_back start_bytes start_packets t0 t1 r cycle
  ID=${BENCH_LAB_PREFIX:-b}$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
  events=$OUT/events-$mode.jsonl
  "$LAB" up "$ID" "$mode" 2>/dev/null
  [[ -z $NETEM ]] || "$LAB" netem "$ID" "$NETEM" >/dev/null
  ip netns exec "rb${ID}lan" "$BIN" watch --server 203.0.113.10:3478 --server 203.0.113.11:3478 \
    --interval "$INTERVAL" --timeout "$PROBE_TIMEOUT" --json >"$events" 2>"$OUT/stderr-$mode.log" &
  RPID=$!

  # Started, then a steady window with no switch: the probe cost at rest.
  local deadline=$(($(date +%s) + TIMEOUT))
  until [[ -s $events ]]; do
    (($(date +%s) < deadline)) && kill -0 "$RPID" 2>/dev/null || { echo "bench: no 'started' from rebound ($mode)" >&2; cat "$OUT/stderr-$mode.log" >&2; return 1; }
    sleep 0.05
  done
  lines=1
  start_bytes=$(traffic "$ID" bytes) start_packets=$(traffic "$ID" packets) t0=$(date +%s.%N)
  sleep "$STEADY"
  t1=$(date +%s.%N)
  local steady_bytes=$(($(traffic "$ID" bytes) - start_bytes)) steady_packets=$(($(traffic "$ID" packets) - start_packets))
  local steady_s
  steady_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')

  case $mode in
    masquerade | pinned) expect_over=changed:198.51.100.2:192.0.2.2 expect_back=changed:192.0.2.2:198.51.100.2 ;;
    renumber) expect_over=changed:198.51.100.2:198.51.100.3 expect_back=changed:198.51.100.3:198.51.100.2 ;;
    blackhole) expect_over=lost expect_back=restored:198.51.100.2 ;;
  esac

  for ((cycle = 1; cycle <= CYCLES; cycle++)); do
    for dir in failover failback; do
      local expect=$expect_over
      [[ $dir == failback ]] && expect=$expect_back
      sleep "$(random_delay)"
      sw_t=$("$LAB" "$dir" "$ID" | awk '{ print $2 }')
      if r=$(wait_event "$events" "$lines" "$expect"); then
        local ev_line ev_t
        lines=$(cut -f1 <<<"$r")
        ev_line=$(cut -f3- <<<"$r")
        ev_t=$(event_epoch "$ev_line")
        echo "$mode,$dir,$cycle,$sw_t,$ev_t,$(ms_between "$sw_t" "$ev_t"),$(jq -r .event <<<"$ev_line"),$(cut -f2 <<<"$r")" >>"$SAMPLES"
      else
        lines=$(cut -f1 <<<"$r")
        echo "$mode,$dir,$cycle,$sw_t,,,missed,$(cut -f2 <<<"$r")" >>"$SAMPLES"
        echo "bench: $mode $dir $cycle: no '$expect' within ${TIMEOUT}s" >&2
      fi
    done
    echo "bench: $mode cycle $cycle/$CYCLES done" >&2
  done

  local run_s
  run_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  echo "$mode,$steady_s,$steady_bytes,$steady_packets,$run_s,$(($(traffic "$ID" bytes) - start_bytes)),$(($(traffic "$ID" packets) - start_packets))" >>"$TRAFFIC"
  kill "$RPID" 2>/dev/null || true
  wait "$RPID" 2>/dev/null || true
  RPID=""
  "$LAB" down "$ID" 2>/dev/null
  ID=""
}

for mode in $MODES; do
  echo "bench: mode $mode, $CYCLES cycles" >&2
  run_mode "$mode"
done

# ---- report
{
  echo "Detection latency (event time - router switch time), $CYCLES cycles per mode, interval $INTERVAL, probe timeout $PROBE_TIMEOUT${NETEM:+, WAN2 round trip +$NETEM}, $(basename "$BIN")"
  echo
  echo "| mode | direction | event | detected | p50 ms | p95 ms | max ms | spurious events |"
  echo "|---|---|---|---|---|---|---|---|"
  for mode in $MODES; do
    for dir in failover failback; do
      rows=$(awk -F, -v m="$mode" -v d="$dir" '$1 == m && $2 == d' "$SAMPLES")
      lat=$(awk -F, '$6 != "" { print $6 }' <<<"$rows")
      n_ok=$(grep -c . <<<"$lat" || true)
      n=$(grep -c . <<<"$rows" || true)
      ev=$(awk -F, '$7 != "missed" { print $7; exit }' <<<"$rows")
      sp=$(awk -F, '{ s += $8 } END { print s + 0 }' <<<"$rows")
      echo "| $mode | $dir | ${ev:--} | $n_ok/$n | $(percentile 50 <<<"$lat") | $(percentile 95 <<<"$lat") | $(percentile 100 <<<"$lat") | $sp |"
    done
  done
  echo
  echo "Probe traffic on the wire (IP bytes of UDP port 3478, both directions, on the ISP links)"
  echo
  echo "| mode | at rest bytes/s | at rest packets/s | whole run bytes/s |"
  echo "|---|---|---|---|"
  tail -n +2 "$TRAFFIC" | while IFS=, read -r mode ss sb sp rs rb _; do
    awk -v m="$mode" -v ss="$ss" -v sb="$sb" -v sp="$sp" -v rs="$rs" -v rb="$rb" \
      'BEGIN { printf "| %s | %.1f | %.2f | %.1f |\n", m, sb / ss, sp / ss, rb / rs }'
  done
  echo
  echo "Raw samples: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
