#!/usr/bin/env bash
# Nebula heal benchmark: after the router fails over, how long until a real Nebula 1.6 tunnel carries traffic again?
#
# lab.sh nebula ID up (lighthouse and peer in namespaces of their own on the lab internet, the node on the LAN host
# with listen.port 4242), and `rebound run` on the LAN host with a [[nebula]] entry for the node's config and [watch]
# on the lab's STUN servers at 1 s. A continuous ping through the overlay to the peer 10.42.0.2 (every 50 ms,
# ping -D -O) gives the time of the first answer after each switch. Restored = first answer after the switch -
# switch time printed by lab.sh (same clock), 0 when no echo went unanswered at all.
# --baseline: the same without Rebound (stock Nebula); expect "not restored" in pinned and mwan3 modes.
#
# Usage: bench/heal-nebula.sh [--cycles N] [--mode pinned|masquerade|mwan3] [--baseline] [--timeout SECONDS]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; raw samples, ping and event logs in bench/results/<UTC time>-nebula/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh

# ---- helpers (each testable on its own: source this file with BENCH_LIB=1)
BENCH_LIB=1 source "$ROOT/bench/detection.sh" # percentile; ms_between is redefined below
# Milliseconds between two unix times given as decimal strings (0 when restored before the switch was stamped).
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { v = (b - a) * 1000; if (v < 0.5) v = 0; printf "%.0f", v }'; }
# From `ping -D -O` output on stdin: the time of the first answer after SWITCH that follows an unanswered
# echo after SWITCH ("no answer yet"), or SWITCH itself when nothing went unanswered and answers kept coming.
# Prints nothing when the tunnel did not come back in the log.
restored_at() { # SWITCH
  awk -v s="$1" '
    match($0, /^\[[0-9]+\.[0-9]+\]/) {
      t = substr($0, 2, RLENGTH - 2) + 0
      if (t <= s) next
      if ($0 ~ /no answer yet/) { gap = 1; next }
      if ($0 ~ /bytes from/) { if (gap) { printf "%.6f\n", t; exit } else if (!seen) { seen = 1; first = t } }
    }
    END { if (!gap && seen) printf "%.6f\n", s }'
}
random_delay() { awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 2 + r / 32768 }'; } # 2.000 .. 3.000 s
[[ ${BENCH_LIB:-} == 1 ]] && return 0

cd "$ROOT"

CYCLES=20 MODE=pinned BASELINE=0 TIMEOUT=""
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    --mode) MODE=$2; shift ;;
    --baseline) BASELINE=1 ;;
    --timeout) TIMEOUT=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $CYCLES =~ ^[0-9]+$ ]] && ((CYCLES > 0)) || { echo "--cycles must be a positive integer" >&2; exit 2; }
[[ $MODE =~ ^(pinned|masquerade|mwan3)$ ]] || { echo "--mode must be pinned, masquerade or mwan3" >&2; exit 2; }
TIMEOUT=${TIMEOUT:-$((BASELINE ? 30 : 20))}
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }

scripts/install-deps

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if ((!BASELINE)); then
  if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
    echo "bench: publishing the AOT binary to artifacts/publish" >&2
    dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
  fi
  [[ -x $BIN ]] || { echo "bench: $BIN is not executable" >&2; exit 2; }
fi

OUT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-nebula-$MODE$( ((BASELINE)) && echo -baseline || true)
mkdir -p "$OUT"
SAMPLES=$OUT/samples.csv
echo "mode,direction,cycle,switch_time,restored_time,restored_ms" >"$SAMPLES"

ID=${BENCH_LAB_ID:-b$(printf "%05x" $((RANDOM * 32 + RANDOM % 32)))}
RPID="" PPID_PING=""
cleanup() {
  [[ -n $PPID_PING ]] && kill "$PPID_PING" 2>/dev/null || true
  [[ -n $RPID ]] && kill "$RPID" 2>/dev/null || true
  "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$LAB" up "$ID" "$MODE" 2>/dev/null
LAN_CONFIG=$("$LAB" nebula "$ID" up | awk '{ print $2 }')
cat >"$OUT/rebound.toml" <<TOML
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$OUT/state"

[http]
listen = "off"

[[nebula]]
config = "$LAN_CONFIG"
verify_ping = ["10.42.0.2"]
TOML
NS=rb${ID}lan

if ((!BASELINE)); then
  ip netns exec "$NS" "$BIN" run --config "$OUT/rebound.toml" --json >"$OUT/events.jsonl" 2>"$OUT/stderr.log" &
  RPID=$!
  sleep 3 # first STUN round and startup diagnosis
  kill -0 "$RPID" 2>/dev/null || { echo "bench: rebound exited" >&2; cat "$OUT/stderr.log" >&2; exit 1; }
fi

PING_LOG=$OUT/ping.log
ip netns exec "rb${ID}lan" ping -D -O -n -i 0.05 -W 1 10.42.0.2 >"$PING_LOG" 2>&1 &
PPID_PING=$!

# Waits until the ping log shows the tunnel restored after SWITCH; prints the time, or fails after TIMEOUT.
wait_restored() { # SWITCH
  local deadline t
  deadline=$(awk -v s="$1" -v n="$TIMEOUT" 'BEGIN { printf "%d", s + n }')
  while (($(date +%s) <= deadline)); do
    t=$(restored_at "$1" <"$PING_LOG")
    # Settled only once the log runs past the candidate (a later gap could still come after an early answer).
    if [[ -n $t ]] && awk -v t="$t" -v now="$(date +%s.%N)" 'BEGIN { exit !(now > t + 0.5) }'; then
      echo "$t"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

for ((cycle = 1; cycle <= CYCLES; cycle++)); do
  for dir in failover failback; do
    sleep "$(random_delay)"
    sw_t=$("$LAB" "$dir" "$ID" | awk '{ print $2 }')
    if t=$(wait_restored "$sw_t"); then
      echo "$MODE,$dir,$cycle,$sw_t,$t,$(ms_between "$sw_t" "$t")" >>"$SAMPLES"
    else
      echo "$MODE,$dir,$cycle,$sw_t,," >>"$SAMPLES"
      echo "bench: $MODE $dir $cycle: tunnel not restored within ${TIMEOUT}s" >&2
      # Without a healer a pinned tunnel stays down; reset it so the next cycle starts from a working tunnel.
      if ((BASELINE)); then
        [[ $dir == failover ]] && "$LAB" failback "$ID" >/dev/null
        "$LAB" nebula "$ID" restart >/dev/null
        kill "$PPID_PING" 2>/dev/null || true
        ip netns exec "rb${ID}lan" ping -D -O -n -i 0.05 -W 1 10.42.0.2 >>"$PING_LOG" 2>&1 &
        PPID_PING=$!
        break
      fi
    fi
  done
  echo "bench: cycle $cycle/$CYCLES done" >&2
done

# ---- report
{
  echo "Nebula tunnel restored (first ping answer through the overlay - router switch time), $CYCLES cycles, mode $MODE," \
    "$([[ $BASELINE == 1 ]] && echo "baseline: stock Nebula 1.6, no Rebound" || echo "rebound run ($(basename "$BIN")) on the LAN host ([[nebula]]), [watch] interval 1s")"
  echo
  echo "| direction | restored | p50 ms | p95 ms | max ms |"
  echo "|---|---|---|---|---|"
  for dir in failover failback; do
    rows=$(awk -F, -v d="$dir" '$2 == d' "$SAMPLES")
    lat=$(awk -F, '$6 != "" { print $6 }' <<<"$rows")
    echo "| $dir | $(grep -c . <<<"$lat" || true)/$(grep -c . <<<"$rows" || true) | $(percentile 50 <<<"$lat") | $(percentile 95 <<<"$lat") | $(percentile 100 <<<"$lat") |"
  done
  echo
  echo "Raw samples: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
