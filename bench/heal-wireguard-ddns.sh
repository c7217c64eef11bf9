#!/usr/bin/env bash
# WireGuard server at home, dialed by a DDNS name from an internet peer: after the home router is renumbered
# (lab mode renumber: WAN1 198.51.100.2 <-> 198.51.100.3, as after a PPPoE redial), how long until the tunnel
# carries traffic again?
#
# Two tunnels in the same lab, switched by the same router switches:
#   rebound  lab.sh wg ID up server: home server wl<ID> (10.99.0.2, port 51820 forwarded on the router), peer
#            wn<ID> (10.99.0.1) dialing vpn.home.test:51820 through the lab's BIND. `rebound run` A on the LAN host
#            ([watch] STUN 1 s, [[ddns]] rfc2136 for vpn.home.test) and `rebound run` B on the peer ([[wireguard]]
#            wn<ID> with endpoints = { <home key> = "vpn.home.test:51820" }, verify_ping 10.99.0.2).
#   stock    the same built here: home sl<ID> (10.98.0.2, port 51830 forwarded), peer sn<ID> (10.98.0.1) dialing
#            stock.home.test:51830. ddclient (daemon=60, nsupdate, as bench/ddns.sh) publishes stock.home.test, and
#            on the peer a bash loop does what wireguard-tools' contrib reresolve-dns.sh does when run every 30 s
#            (its documented use, from a timer): a peer whose latest handshake is older than 135 s gets
#            `wg set IF peer KEY endpoint NAME:PORT` (re-resolving the name).
# Both peers have persistent keepalive 25 s; the peer's resolver is BIND itself (/etc/netns/<ns>/resolv.conf), so
# no cache stands between a DNS update and a re-resolve (both records have TTL 60).
# lab.sh's renumber leaves the old address reachable (see "gone" below): the bench makes the lab internet drop it.
# A continuous ping from the peer to each home tunnel address (every 50 ms, ping -D -O) gives the time of the first
# answer after each switch (restored_at in bench/heal-wireguard.sh; 0 when no echo went unanswered).
#
# Phase 1 (both measured): switches until --compare-minutes of wall time have passed; each waits for both tunnels
#   (stock capped at --stock-timeout; a miss is reported, and the next switch's stock sample is left out, because
#   switching back would "restore" a tunnel that never moved).
# Phase 2 (rebound only): more switches until Rebound has --cycles failovers and --cycles failbacks.
#
# Usage: sudo bench/heal-wireguard-ddns.sh [--cycles N] [--compare-minutes M] [--stock-timeout S]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; samples, ping logs, events and tool logs in bench/results/<UTC time>-wireguard-ddns/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh
# ms_between, percentile, restored_at
BENCH_LIB=1 source "$ROOT/bench/heal-wireguard.sh"
source "$ROOT/bench/ddclient.sh"

CYCLES=20 COMPARE_MINUTES=25 STOCK_TIMEOUT=240 REBOUND_TIMEOUT=30
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    --compare-minutes) COMPARE_MINUTES=$2; shift ;;
    --stock-timeout) STOCK_TIMEOUT=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
for v in CYCLES COMPARE_MINUTES STOCK_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: $v must be a whole number" >&2; exit 2; }
done
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }
cd "$ROOT"
scripts/install-deps
ddclient_install

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  echo "bench: publishing the AOT binary to artifacts/publish" >&2
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi
[[ -x $BIN ]] || { echo "bench: $BIN is not executable" >&2; exit 2; }

OUT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-wireguard-ddns
mkdir -p "$OUT"
SAMPLES=$OUT/samples.csv
echo "tunnel,phase,direction,switch,switch_time,restored_time,restored_ms,note" >"$SAMPLES"

ID=w$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
NS_LAN=rb${ID}lan NS_RTR=rb${ID}rtr NS_NET=rb${ID}net
SL=sl$ID SN=sn$ID
PIDS=()
cleanup() {
  local p s
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for s in "$SL" "$SN"; do
    if [[ -S /var/run/wireguard/$s.sock ]]; then
      for p in $(fuser "/var/run/wireguard/$s.sock" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    fi
    rm -f "/var/run/wireguard/$s.sock"
  done
  "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$LAB" up "$ID" renumber 2>/dev/null
"$LAB" wg "$ID" up server >/dev/null # starts BIND too; vpn.home.test = 198.51.100.2
KEY=$("$LAB" dns "$ID")
WORK=/run/rebound-lab/$ID/bench
mkdir -p "$WORK"
chmod 700 "$WORK"
HOME_PUB=$(cat "/run/rebound-lab/$ID/wg/lan.pub")

# ---- the stock tunnel (same shape as lab.sh's server tunnel, its own names, ports, subnet and DNS name)
printf 'server 203.0.113.53\nzone home.test\nupdate delete stock.home.test A\nupdate add stock.home.test 60 A 198.51.100.2\nsend\n' |
  ip netns exec "$NS_NET" nsupdate -k "$KEY"
(umask 077; wg genkey >"$WORK/sl.key"; wg genkey >"$WORK/sn.key")
wg pubkey <"$WORK/sl.key" >"$WORK/sl.pub"
wg pubkey <"$WORK/sn.key" >"$WORK/sn.pub"
for pair in "$NS_LAN:$SL" "$NS_NET:$SN"; do
  rm -f "/var/run/wireguard/${pair#*:}.sock"
  env -u WG_PROCESS_FOREGROUND ip netns exec "${pair%%:*}" wireguard-go "${pair#*:}" >>"$OUT/wireguard-go-stock.log" 2>&1 </dev/null
  for ((i = 0; i < 50; i++)); do [[ -S /var/run/wireguard/${pair#*:}.sock ]] && break; sleep 0.1; done
done
ip -n "$NS_LAN" addr add 10.98.0.2/24 dev "$SL"
ip -n "$NS_NET" addr add 10.98.0.1/24 dev "$SN"
ip -n "$NS_LAN" link set "$SL" up
ip -n "$NS_NET" link set "$SN" up
ip netns exec "$NS_RTR" nft -f - <<EOF
table ip rbwgstock {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname { "wan1", "wan2" } udp dport 51830 dnat to 10.77.0.2:51830
  }
}
EOF
wg set "$SL" listen-port 51830 private-key "$WORK/sl.key" peer "$(cat "$WORK/sn.pub")" allowed-ips 10.98.0.1/32
ip netns exec "$NS_NET" wg set "$SN" listen-port 51831 private-key "$WORK/sn.key" \
  peer "$(cat "$WORK/sl.pub")" allowed-ips 10.98.0.2/32 endpoint stock.home.test:51830 persistent-keepalive 25
for ((i = 0; i < 50; i++)); do ip netns exec "$NS_NET" ping -c1 -W1 -q 10.98.0.2 >/dev/null 2>&1 && break; done
((i < 50)) || { echo "bench: stock tunnel did not come up" >&2; exit 1; }

# lab.sh's renumber only moves the router's address: the lab internet still routes all of 198.51.100.0/24 to the
# router, whose DNAT conntrack entries keep forwarding packets sent to the address it gave up, so a tunnel dialed at
# the old address would never break. A real ISP stops delivering a released address: the internet drops traffic to
# and from the address the router no longer holds (set "gone", updated right after each switch).
ip netns exec "$NS_NET" nft -f - <<EOF
table ip rbbench {
  set gone { type ipv4_addr; }
  chain gone_out { type filter hook output priority filter; policy accept; ip daddr @gone drop; }
  chain gone_fwd { type filter hook forward priority filter; policy accept; ip daddr @gone drop; ip saddr @gone drop; }
  chain gone_in { type filter hook input priority filter; policy accept; ip saddr @gone drop; }
}
EOF
gone() { ip netns exec "$NS_NET" nft flush set ip rbbench gone; ip netns exec "$NS_NET" nft add element ip rbbench gone "{ $1 }"; }

# ---- Rebound A: home (LAN host), DDNS for vpn.home.test
cat >"$WORK/rebound-home.toml" <<EOF
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$WORK/state-home"

[http]
listen = "off"

[[ddns]]
provider = "rfc2136"
server = "203.0.113.53"
zone = "home.test"
names = ["vpn.home.test"]
ttl = 60
key_file = "$KEY"
EOF

# ---- Rebound B: the internet peer, re-resolving vpn.home.test for wn<ID>
cat >"$WORK/rebound-peer.toml" <<EOF
# The peer's own public address never changes; the watcher probes the lab's STUN servers anyway (they are on
# this namespace's lo, so it sees its own service address and never reports a change: no events, only checks).
[watch]
servers = ["203.0.113.10:3478", "203.0.113.11:3478"]
interval = "1s"

[state]
directory = "$WORK/state-peer"

[http]
listen = "off"

# Nothing on this side sees the home router's switch: only the periodic check can notice the silent tunnel.
[heal]
check_interval = "2s"
retry_backoff_min = "1s"
retry_backoff_max = "30s"

[[wireguard]]
interface = "wn$ID"
verify_ping = ["10.99.0.2"]
endpoints = { "$HOME_PUB" = "vpn.home.test:51820" }
resolve_interval = "5s"
verify_deadline = "1s"
EOF
cp "$WORK/rebound-home.toml" "$WORK/rebound-peer.toml" "$OUT/"
sed -i "s#$KEY#<lab key file>#" "$OUT/rebound-home.toml"

# ---- ddclient at home for stock.home.test (same settings as bench/ddns.sh)
ddclient_config "$WORK" "$BIN" "$KEY" stock.home.test

ip netns exec "$NS_LAN" "$BIN" run --config "$WORK/rebound-home.toml" --json >"$OUT/rebound-home.jsonl" 2>"$OUT/rebound-home.err" &
PIDS+=($!)
ip netns exec "$NS_NET" "$BIN" run --config "$WORK/rebound-peer.toml" --json >"$OUT/rebound-peer.jsonl" 2>"$OUT/rebound-peer.err" &
PIDS+=($!)
ip netns exec "$NS_LAN" ddclient -file "$WORK/ddclient.conf" -foreground -daemon 60 >"$OUT/ddclient.log" 2>&1 &
PIDS+=($!)

# reresolve-dns.sh, as a 30 s loop: for each peer with a name, if its latest handshake is older than 135 s,
# `wg set IF peer KEY endpoint NAME:PORT` (wg resolves the name again).
STOCK_KEY=$(cat "$WORK/sl.pub")
(
  while sleep 30; do
    hs=$(ip netns exec "$NS_NET" wg show "$SN" latest-handshakes | awk -v k="$STOCK_KEY" '$1 == k { print $2 }')
    if (($(date +%s) - ${hs:-0} > 135)); then
      ip netns exec "$NS_NET" wg set "$SN" peer "$STOCK_KEY" endpoint stock.home.test:51830 &&
        echo "$(date +%s.%N) reresolved: handshake ${hs:-0}, endpoint now $(ip netns exec "$NS_NET" wg show "$SN" endpoints | awk '{ print $2 }')"
    fi
  done
) >"$OUT/reresolve-loop.log" 2>&1 &
PIDS+=($!)

sleep 4
for p in "${PIDS[@]:0:2}"; do
  kill -0 "$p" 2>/dev/null || { echo "bench: rebound exited" >&2; cat "$OUT"/rebound-*.err >&2; exit 1; }
done

ip netns exec "$NS_NET" ping -D -O -n -i 0.05 -W 1 10.99.0.2 >"$OUT/ping-rebound.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_NET" ping -D -O -n -i 0.05 -W 1 10.98.0.2 >"$OUT/ping-stock.log" 2>&1 &
PIDS+=($!)
sleep 8 # ddclient's first (unneeded) update, and the pings settle

settled() { # LOG SWITCH: prints the restore time once the log runs 0.5 s past it
  local t
  t=$(restored_at "$2" <"$1")
  [[ -n $t ]] && awk -v t="$t" -v now="$(date +%s.%N)" 'BEGIN { exit !(now > t + 0.5) }' && echo "$t"
}

# Waits for the tunnels named in $WANT; sets R_T / S_T (empty on timeout).
wait_tunnels() { # SWITCH MEASURE_STOCK
  local sw=$1 stock=$2 now
  R_T="" S_T=""
  local r_done=0 s_done=$((!stock))
  while ((!r_done || !s_done)); do
    now=$(date +%s.%N)
    if ((!r_done)); then
      R_T=$(settled "$OUT/ping-rebound.log" "$sw" || true)
      [[ -n $R_T ]] && r_done=1
      (($(ms_between "$sw" "$now") > REBOUND_TIMEOUT * 1000)) && r_done=1
    fi
    if ((!s_done)); then
      S_T=$(settled "$OUT/ping-stock.log" "$sw" || true)
      [[ -n $S_T ]] && s_done=1
      (($(ms_between "$sw" "$now") > STOCK_TIMEOUT * 1000)) && s_done=1
    fi
    sleep 0.2
  done
}

record() { # TUNNEL PHASE DIR N SWITCH RESTORED NOTE
  local ms=""
  [[ -n $6 ]] && ms=$(ms_between "$5" "$6")
  echo "$1,$2,$3,$4,$5,$6,$ms,$7" >>"$SAMPLES"
  echo "bench: $2 switch $4 $3: $1 ${ms:-not restored} ms $7" >&2
}

START=$(date +%s)
n=0 r_fo=0 r_fb=0 stock_valid=1 phase=compare
dir=failover
while :; do
  if [[ $phase == compare ]] && (($(date +%s) - START >= COMPARE_MINUTES * 60)); then phase=rebound-only; fi
  if [[ $phase == rebound-only ]] && ((r_fo >= CYCLES && r_fb >= CYCLES)); then break; fi
  # A random pause: switches land at random phases of ddclient's 60 s cycle and the 30 s loop.
  if [[ $phase == compare ]]; then
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 2 + 10 * r / 32768 }')"
  else
    sleep "$(random_delay)"
  fi
  n=$((n + 1))
  sw=$("$LAB" "$dir" "$ID" | awk '{ print $2 }')
  gone "$([[ $dir == failover ]] && echo 198.51.100.2 || echo 198.51.100.3)"
  measure_stock=$([[ $phase == compare ]] && echo 1 || echo 0)
  wait_tunnels "$sw" "$measure_stock"
  record rebound "$phase" "$dir" "$n" "$sw" "$R_T" ""
  if ((measure_stock)); then
    if ((stock_valid)); then
      record stock "$phase" "$dir" "$n" "$sw" "$S_T" "$([[ -z $S_T ]] && echo "not restored within ${STOCK_TIMEOUT}s")"
    else
      record stock "$phase" "$dir" "$n" "$sw" "" "left out: the previous switch was not restored"
    fi
    stock_valid=$([[ -n $S_T ]] && echo 1 || echo 0)
  fi
  if [[ $dir == failover ]]; then r_fo=$((r_fo + 1)); dir=failback; else r_fb=$((r_fb + 1)); dir=failover; fi
done
ELAPSED=$(($(date +%s) - START))

# ---- report
{
  echo "WireGuard server at home dialed by DDNS name, lab mode renumber; restored = first ping answer from the peer"
  echo "through the tunnel - router switch time. $n switches in $((ELAPSED / 60)) min; the stock setup was measured in the"
  echo "first $(awk -F, '$1 == "stock"' "$SAMPLES" | grep -c . || true) (phase compare, capped at ${STOCK_TIMEOUT}s), Rebound in all of them."
  echo
  echo "| setup | direction | restored | p50 ms | p95 ms | max ms |"
  echo "|---|---|---|---|---|---|"
  for t in rebound stock; do
    for d in failover failback all; do
      rows=$(awk -F, -v t="$t" -v d="$d" '$1 == t && (d == "all" || $3 == d) && $8 !~ /^left out/' "$SAMPLES")
      lat=$(awk -F, '$7 != "" { print $7 }' <<<"$rows")
      name=$([[ $t == rebound ]] && echo "Rebound (rfc2136 + re-resolve)" || echo "ddclient + reresolve-dns.sh loop")
      echo "| $name | $d | $(grep -c . <<<"$lat" || true)/$(grep -c . <<<"$rows" || true) | $(percentile 50 <<<"$lat") | $(percentile 95 <<<"$lat") | $(percentile 100 <<<"$lat") |"
    done
  done
  echo
  echo "Rebound in phase compare only (the switches both were measured on):"
  lat=$(awk -F, '$1 == "rebound" && $2 == "compare" && $7 != "" { print $7 }' "$SAMPLES")
  echo "$(grep -c . <<<"$lat" || true) restored, p50 $(percentile 50 <<<"$lat") ms, p95 $(percentile 95 <<<"$lat") ms, max $(percentile 100 <<<"$lat") ms"
  echo
  echo "Rebound B (peer) heal steps by rung and result:"
  jq -r 'select(.event == "heal-step") | "\(.action // .rung // .step // "?") \(.result // .outcome // "?")"' "$OUT/rebound-peer.jsonl" 2>/dev/null |
    sort | uniq -c | sed 's/^/    /' || true
  echo "reresolve loop actions: $(grep -c reresolved "$OUT/reresolve-loop.log" || true); ddclient updates: $(grep -ci 'SUCCESS' "$OUT/ddclient.log" || true)"
  echo
  echo "Raw samples: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
