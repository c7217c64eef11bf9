#!/usr/bin/env bash
# Nebula heal benchmark: after the router fails over, how long until a real Nebula 1.6 tunnel carries traffic again?
#
# lab.sh nebula ID up (lighthouse and peer in namespaces of their own on the lab internet, the node on the LAN host
# with listen.port 4242), and `rebound run` on the LAN host with a [[nebula]] entry for the node's config and [watch]
# on the lab's STUN servers at 1 s. A continuous ping through the overlay to the peer 10.42.0.2 (every 50 ms,
# ping -D -O) gives the time of the first answer after each switch. Restored = first answer after the switch -
# switch time printed by lab.sh (same clock), 0 when no echo went unanswered at all.
# --baseline: the same without Rebound (stock Nebula); expect "not restored" in pinned and mwan3 modes.
# --compare: both at once, each on a lab of its own, stock Nebula's summary first.
#
# Usage: bench/heal-nebula.sh [--cycles N] [--mode pinned|masquerade|mwan3] [--baseline|--compare] [--timeout SECONDS]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
#        BENCH_LAB_ID lab id (default b and 5 random hex digits)
# Out:   markdown table on stdout; raw samples, ping and event logs in bench/results/<UTC time>-nebula/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/heal.sh" # helpers testable on their own: source with BENCH_LIB=1
[[ ${BENCH_LIB:-} == 1 ]] && return 0

CYCLES=20 MODE=pinned BASELINE=0 COMPARE=0 TIMEOUT="" ARGS=()
while (($#)); do
  case $1 in
    --cycles | --mode | --timeout) ARGS+=("$1" "$2") ;;&
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
[[ $MODE =~ ^(pinned|masquerade|mwan3)$ ]] || { echo "--mode must be pinned, masquerade or mwan3" >&2; exit 2; }
((COMPARE)) && { heal_compare "$0" "${ARGS[@]}"; exit; }
TIMEOUT=${TIMEOUT:-$((BASELINE ? 30 : 20))}
scripts/install-deps
heal_setup "nebula-$MODE$( ((BASELINE)) && echo -baseline || true)" b

"$LAB" up "$ID" "$MODE" 2>/dev/null
LAN_CONFIG=$("$LAB" nebula "$ID" up | awk '{ print $2 }')
{
  heal_toml_head
  cat <<TOML

[[nebula]]
config = "$LAN_CONFIG"
verify_ping = ["10.42.0.2"]
TOML
} >"$OUT/rebound.toml"
heal_start_rebound "rb${ID}lan"

PING_LOG=$OUT/ping.log
start_ping() {
  ip netns exec "rb${ID}lan" ping -D -O -n -i 0.05 -W 1 10.42.0.2 >>"$PING_LOG" 2>&1 &
  PING_PID=$!
  HEAL_PIDS+=("$PING_PID")
}
# Without a healer a pinned tunnel stays down; reset it so the next cycle starts from a working tunnel.
reset_tunnel() {
  "$LAB" nebula "$ID" restart >/dev/null
  kill "$PING_PID" 2>/dev/null || true
  start_ping
}
start_ping
heal_cycles "$PING_LOG" tunnel reset_tunnel

heal_report "Nebula tunnel restored (first ping answer through the overlay - router switch time), $CYCLES cycles, mode $MODE, \
$( ((BASELINE)) && echo "baseline: stock Nebula 1.6, no Rebound" || echo "rebound run ($(basename "$BIN")) on the LAN host ([[nebula]]), [watch] interval 1s")"
