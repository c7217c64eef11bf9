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
# --compare: both at once, each on a lab of its own, the baseline's summary first.
#
# Usage: bench/heal-flow.sh [--kind udp|tcp] [--cycles N] [--mode pinned|masquerade|mwan3]
#                            [--baseline|--compare] [--timeout S]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
#        BENCH_LAB_ID lab id (default f and 5 random hex digits)
# Out:   markdown table on stdout; raw samples, client and event logs in bench/results/<UTC time>-flow-<kind>/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/heal.sh" # helpers testable on their own: source with BENCH_LIB=1
[[ ${BENCH_LIB:-} == 1 ]] && return 0

KIND=udp CYCLES=20 MODE=pinned BASELINE=0 COMPARE=0 TIMEOUT="" ARGS=()
while (($#)); do
  case $1 in
    --kind | --cycles | --mode | --timeout) ARGS+=("$1" "$2") ;;&
    --kind) KIND=$2; shift ;;
    --cycles) CYCLES=$2; shift ;;
    --mode) MODE=$2; shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    --baseline) BASELINE=1 ;;
    --compare) COMPARE=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $KIND =~ ^(udp|tcp)$ ]] || { echo "--kind must be udp or tcp" >&2; exit 2; }
[[ $MODE =~ ^(pinned|masquerade|mwan3)$ ]] || { echo "--mode must be pinned, masquerade or mwan3" >&2; exit 2; }
((COMPARE)) && { heal_compare "$0" "${ARGS[@]}"; exit; }
if [[ -z $TIMEOUT ]]; then TIMEOUT=20; ((BASELINE)) && [[ $KIND == tcp ]] && TIMEOUT=150; fi
heal_setup "flow-$KIND-$MODE$( ((BASELINE)) && echo -baseline || true)" f

PROBE=$BENCH_ROOT/lab/tools/flowprobe.py
"$LAB" up "$ID" "$MODE" 2>/dev/null
ip netns exec "rb${ID}net" ip addr replace 203.0.113.40/32 dev lo
if [[ $KIND == udp ]]; then
  ip netns exec "rb${ID}net" python3 "$PROBE" udp-echo 203.0.113.40 7777 &
  TARGET=$'local_ports = [4242]'
else
  ip netns exec "rb${ID}net" python3 "$PROBE" tcp-echo 203.0.113.40 8080 &
  TARGET=$'reset_tcp_ports = [8080]'
fi
HEAL_PIDS+=($!)
{
  heal_toml_head
  cat <<TOML

[[flow]]
name = "bench"
$TARGET
TOML
} >"$OUT/rebound.toml"
heal_start_rebound "rb${ID}lan"

LOG=$OUT/client.log
start_client() {
  if [[ $KIND == udp ]]; then
    ip netns exec "rb${ID}lan" python3 "$PROBE" udp-client 4242 203.0.113.40 7777 50 >>"$LOG" 2>&1 &
  else
    ip netns exec "rb${ID}lan" python3 "$PROBE" tcp-client 203.0.113.40 8080 500 120 >>"$LOG" 2>&1 &
  fi
  CLIENT=$!
  HEAL_PIDS+=("$CLIENT")
}
reset_client() { # start the next cycle from a working flow
  kill "$CLIENT" 2>/dev/null || true
  ip netns exec "rb${ID}lan" conntrack -F >/dev/null 2>&1 || true
  start_client
  sleep 1
}
start_client
sleep 1
heal_cycles "$LOG" flow reset_client

what=$([[ $KIND == udp ]] && echo "UDP flow from fixed port 4242 (echo every 50 ms)" || echo "long-lived TCP connection (request every 500 ms, 120 s deadline)")
heal_report "$what restored after the router switch, $CYCLES cycles, mode $MODE, \
$( ((BASELINE)) && echo "baseline: no Rebound" || echo "rebound run ($(basename "$BIN")) on the LAN host, [[flow]] $TARGET, [watch] interval 1s")"
