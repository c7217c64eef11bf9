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
# --snat: the lab router translates by static SNAT instead of masquerade (modes metric and mwan3; lab.sh up --snat).
#
# Usage: bench/heal-wireguard.sh [--cycles N] [--mode pinned|masquerade|renumber|mwan3|metric] [--snat] [--baseline]
#                                [--where lan|router] [--timeout SECONDS]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; raw samples, ping and event logs in bench/results/<UTC time>-wireguard/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/heal.sh" # helpers testable on their own: source with BENCH_LIB=1
[[ ${BENCH_LIB:-} == 1 ]] && return 0

CYCLES=20 MODE=pinned BASELINE=0 TIMEOUT="" WHERE=lan SNAT=""
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    --mode) MODE=$2; shift ;;
    --baseline) BASELINE=1 ;;
    --snat) SNAT=--snat ;;
    --where) WHERE=$2; shift ;;
    --timeout) TIMEOUT=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $MODE =~ ^(pinned|masquerade|renumber|mwan3|metric)$ ]] || { echo "--mode must be pinned, masquerade, renumber, mwan3 or metric" >&2; exit 2; }
[[ -z $SNAT || $MODE =~ ^(mwan3|metric)$ ]] || { echo "--snat is for modes mwan3 and metric" >&2; exit 2; }
[[ $WHERE =~ ^(lan|router)$ ]] || { echo "--where must be lan or router" >&2; exit 2; }
TIMEOUT=${TIMEOUT:-$((BASELINE ? 60 : 20))}
scripts/install-deps
heal_setup "wireguard$( ((BASELINE)) && echo -baseline || true)$([[ $WHERE == router ]] && echo -router || true)" b

"$LAB" up "$ID" "$MODE" ${SNAT:+"$SNAT"} 2>/dev/null
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
# mwan3 keeps a flow on its mark: once healed onto WAN2 the tunnel stays there through failback, and the next
# failover would not touch it. So before each failover the router forgets the tunnel's entry and its next packet is
# marked for WAN1 again (as for a tunnel up since before the last failover).
if [[ $MODE == mwan3 ]]; then
  heal_before_switch() {
    [[ $1 == failover ]] || return 0
    ip netns exec "rb${ID}rtr" conntrack -D -p udp --orig-port-dst 51820 >/dev/null 2>&1 || true
    sleep 1
  }
fi
start_ping
heal_cycles "$PING_LOG" tunnel reset_tunnel

heal_report "WireGuard tunnel restored (first ping answer through the tunnel - router switch time), $CYCLES cycles, mode $MODE${SNAT:+ (static SNAT)}, \
$( ((BASELINE)) && echo "baseline: no Rebound" || echo "rebound run ($(basename "$BIN")) on the $([[ $WHERE == router ]] && echo "router ([router], nothing on the LAN host)" || echo "LAN host ([[wireguard]])"), [watch] interval 1s")"
