#!/usr/bin/env bash
# [[flow]] heal benchmark: a daemon Rebound knows nothing about, through a router failover.
#
# --kind udp (default): a UDP client sending from the fixed local port 4242 every 50 ms to an echo server on the
#   lab internet (lab/tools/flowprobe.py), `rebound run` on the LAN host with [[flow]] local_ports = [4242]
#   (hop-port). Restored = first echo after the switch that follows an unanswered period - switch time (lab.sh's
#   clock), 0 when no period went unanswered.
# --kind tcp: one long-lived TCP connection (a long-poll client: a request every 500 ms, each answer awaited up
#   to 120 s like tailscaled's control watchdog, reconnecting at once on an error), [[flow]] reset_tcp_ports = [8080]
#   (reset-tcp). Restored = first answer after the switch that follows an unanswered period.
# --baseline: the same without Rebound; pinned UDP stays dead, TCP waits for the client's own deadline.
#
# Usage: bench/heal-flow.sh [--kind udp|tcp] [--cycles N] [--mode pinned|masquerade|mwan3] [--baseline] [--timeout S]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; raw samples, client and event logs in bench/results/<UTC time>-flow-<kind>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh
BENCH_LIB=1 source "$ROOT/bench/heal-wireguard.sh" # percentile, ms_between, restored_at, random_delay
cd "$ROOT"

KIND=udp CYCLES=20 MODE=pinned BASELINE=0 TIMEOUT=""
while (($#)); do
  case $1 in
    --kind) KIND=$2; shift ;;
    --cycles) CYCLES=$2; shift ;;
    --mode) MODE=$2; shift ;;
    --baseline) BASELINE=1 ;;
    --timeout) TIMEOUT=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $KIND =~ ^(udp|tcp)$ ]] || { echo "--kind must be udp or tcp" >&2; exit 2; }
[[ $CYCLES =~ ^[0-9]+$ ]] && ((CYCLES > 0)) || { echo "--cycles must be a positive integer" >&2; exit 2; }
[[ $MODE =~ ^(pinned|masquerade|mwan3)$ ]] || { echo "--mode must be pinned, masquerade or mwan3" >&2; exit 2; }
if [[ -z $TIMEOUT ]]; then TIMEOUT=20; ((BASELINE)) && [[ $KIND == tcp ]] && TIMEOUT=150; fi
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if ((!BASELINE)); then
  if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
    echo "bench: publishing the AOT binary to artifacts/publish" >&2
    dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
  fi
  [[ -x $BIN ]] || { echo "bench: $BIN is not executable" >&2; exit 2; }
fi

OUT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-flow-$KIND-$MODE$( ((BASELINE)) && echo -baseline || true)
mkdir -p "$OUT"
SAMPLES=$OUT/samples.csv
echo "mode,direction,cycle,switch_time,restored_time,restored_ms" >"$SAMPLES"

ID=${BENCH_LAB_ID:-f$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))}
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

PROBE=$ROOT/lab/tools/flowprobe.py
"$LAB" up "$ID" "$MODE" 2>/dev/null
ip netns exec "rb${ID}net" ip addr replace 203.0.113.40/32 dev lo
if [[ $KIND == udp ]]; then
  ip netns exec "rb${ID}net" python3 "$PROBE" udp-echo 203.0.113.40 7777 &
  TARGET=$'local_ports = [4242]'
else
  ip netns exec "rb${ID}net" python3 "$PROBE" tcp-echo 203.0.113.40 8080 &
  TARGET=$'reset_tcp_ports = [8080]'
fi
PIDS+=($!)
cat >"$OUT/rebound.toml" <<TOML
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$OUT/state"

[http]
listen = "off"

[[flow]]
name = "bench"
$TARGET
TOML

if ((!BASELINE)); then
  ip netns exec "rb${ID}lan" "$BIN" run --config "$OUT/rebound.toml" --json >"$OUT/events.jsonl" 2>"$OUT/stderr.log" &
  PIDS+=($!)
  sleep 3 # first STUN round and startup diagnosis
fi

LOG=$OUT/client.log
start_client() {
  if [[ $KIND == udp ]]; then
    ip netns exec "rb${ID}lan" python3 "$PROBE" udp-client 4242 203.0.113.40 7777 50 >>"$LOG" 2>&1 &
  else
    ip netns exec "rb${ID}lan" python3 "$PROBE" tcp-client 203.0.113.40 8080 500 120 >>"$LOG" 2>&1 &
  fi
  CLIENT=$!
  PIDS+=("$CLIENT")
}
start_client
sleep 1

wait_restored() { # SWITCH
  local deadline t
  deadline=$(awk -v s="$1" -v n="$TIMEOUT" 'BEGIN { printf "%d", s + n }')
  while (($(date +%s) <= deadline)); do
    t=$(restored_at "$1" <"$LOG")
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
      echo "bench: $MODE $dir $cycle: not restored within ${TIMEOUT}s" >&2
      if ((BASELINE)); then # start the next cycle from a working flow
        [[ $dir == failover ]] && "$LAB" failback "$ID" >/dev/null
        kill "$CLIENT" 2>/dev/null || true
        ip netns exec "rb${ID}lan" conntrack -F >/dev/null 2>&1 || true
        start_client
        sleep 1
        break
      fi
    fi
  done
  echo "bench: cycle $cycle/$CYCLES done" >&2
done

{
  what=$([[ $KIND == udp ]] && echo "UDP flow from fixed port 4242 (echo every 50 ms)" || echo "long-lived TCP connection (request every 500 ms, 120 s deadline)")
  echo "$what restored after the router switch, $CYCLES cycles, mode $MODE," \
    "$( ((BASELINE)) && echo "baseline: no Rebound" || echo "rebound run ($(basename "$BIN")) on the LAN host, [[flow]] $TARGET, [watch] interval 1s")"
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
