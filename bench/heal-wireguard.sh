#!/usr/bin/env bash
# WireGuard heal benchmark: after the router fails over, how long until the tunnel carries traffic again?
#
# A wireguard-go tunnel (lab.sh wg ID up client) from the lab's LAN host to a peer on the lab internet, and
# `rebound run` on the LAN host with a [[wireguard]] entry for it and [watch] on the lab's STUN servers at 1 s.
# A continuous ping through the tunnel (every 50 ms, ping -D -O) gives the time of the first answer after
# each switch. Restored = first answer after the switch - switch time printed by lab.sh (same clock),
# 0 when no echo went unanswered at all.
# --baseline: the same without Rebound (stock WireGuard, keepalive 25 s); expect "not restored" in pinned mode.
# --where router: Rebound runs on the lab router instead (router mode: [router], flushing the departed WAN's
#   conntrack entries), with nothing at all running on the LAN host besides stock WireGuard.
#
# Usage: bench/heal-wireguard.sh [--cycles N] [--mode pinned|masquerade|renumber] [--baseline] [--where lan|router]
#                                [--timeout SECONDS]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; raw samples, ping and event logs in bench/results/<UTC time>-wireguard/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/heal.sh" # helpers testable on their own: source with BENCH_LIB=1
[[ ${BENCH_LIB:-} == 1 ]] && return 0

CYCLES=20 MODE=pinned BASELINE=0 TIMEOUT="" WHERE=lan
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    --mode) MODE=$2; shift ;;
    --baseline) BASELINE=1 ;;
    --where) WHERE=$2; shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $MODE =~ ^(pinned|masquerade|renumber)$ ]] || { echo "--mode must be pinned, masquerade or renumber" >&2; exit 2; }
[[ $WHERE =~ ^(lan|router)$ ]] || { echo "--where must be lan or router" >&2; exit 2; }
TIMEOUT=${TIMEOUT:-$((BASELINE ? 60 : 20))}
scripts/install-deps
heal_setup "wireguard$( ((BASELINE)) && echo -baseline || true)$([[ $WHERE == router ]] && echo -router || true)" b

"$LAB" up "$ID" "$MODE" 2>/dev/null
"$LAB" wg "$ID" up client >/dev/null
{
  heal_toml_head
  echo
  if [[ $WHERE == lan ]]; then
    printf '[[wireguard]]\ninterface = "wl%s"\nverify_ping = ["10.99.0.1"]\n' "$ID"
  else
    printf '[router]\nwan_interfaces = ["wan1", "wan2"]\n'
  fi
} >"$OUT/rebound.toml"
heal_start_rebound "rb${ID}$([[ $WHERE == lan ]] && echo lan || echo rtr)"

PING_LOG=$OUT/ping.log
start_ping() {
  ip netns exec "rb${ID}lan" ping -D -O -n -i 0.05 -W 1 10.99.0.1 >>"$PING_LOG" 2>&1 &
  PING_PID=$!
  HEAL_PIDS+=("$PING_PID")
}
# Without a healer a pinned tunnel stays down; reset it so the next cycle starts from a working tunnel.
reset_tunnel() {
  "$LAB" wg "$ID" down >/dev/null 2>&1
  "$LAB" wg "$ID" up client >/dev/null
  kill "$PING_PID" 2>/dev/null || true
  start_ping
}
start_ping
heal_cycles "$PING_LOG" tunnel reset_tunnel

heal_report "WireGuard tunnel restored (first ping answer through the tunnel - router switch time), $CYCLES cycles, mode $MODE, \
$( ((BASELINE)) && echo "baseline: no Rebound" || echo "rebound run ($(basename "$BIN")) on the $([[ $WHERE == router ]] && echo "router ([router], nothing on the LAN host)" || echo "LAN host ([[wireguard]])"), [watch] interval 1s")"
