#!/usr/bin/env bash
# DDNS benchmark: how long after the router switches does the authoritative DNS server answer with
# the new address? Rebound (`rebound run`, RFC 2136 + TSIG) and ddclient (Debian's package, nsupdate
# protocol, daemon=60, its shortest interval) run side by side in the same lab, each owning one
# record of home.test on the lab's BIND (gw.home.test for Rebound, vpn.home.test for ddclient).
#
# Lab mode renumber: the router's WAN1 address changes 198.51.100.2 <-> 198.51.100.3 (PPPoE redial).
# Each switch: a random pause of 2-62 s (so the switch lands at a random phase of ddclient's 60 s
# cycle, not just after its last check), switch, then dig polls BIND (every ~50 ms) until each record
# shows the new address. Latency = first dig that saw it - switch time.
#
# Usage: sudo bench/ddns.sh [--cycles N]      (default 20 failovers + 20 failbacks)
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; raw samples in bench/results/ddns-<UTC time>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/lab.sh
# The helpers (ms_between, percentile) are shared with the detection benchmark.
BENCH_LIB=1 source "$ROOT/bench/detection.sh"
source "$ROOT/bench/ddclient.sh"

CYCLES=20 REBOUND_LIMIT=30 DDCLIENT_LIMIT=200
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }
cd "$ROOT"
scripts/install-deps
ddclient_install

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi

OUT=$ROOT/bench/results/ddns-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
SAMPLES=$OUT/samples.csv
echo "tool,direction,cycle,switch_time,published_time,latency_ms" >"$SAMPLES"

ID=d$(printf '%05x' $((RANDOM * 32 + RANDOM % 32)))
RPID="" DPID=""
cleanup() {
  [[ -n $RPID ]] && kill "$RPID" 2>/dev/null || true
  [[ -n $DPID ]] && kill "$DPID" 2>/dev/null || true
  "$LAB" down "$ID" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$LAB" up "$ID" renumber 2>/dev/null
KEY=$("$LAB" dns "$ID")
WORK=/run/rebound-lab/$ID/bench
mkdir -p "$WORK"
chmod 700 "$WORK"

cat >"$WORK/rebound.toml" <<EOF
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
EOF

# ddclient learns the public address the same way, from a fresh-socket STUN probe.
ddclient_config "$WORK" "$BIN" "$KEY" vpn.home.test

ip netns exec "rb${ID}lan" "$BIN" run --config "$WORK/rebound.toml" --json >"$OUT/rebound.jsonl" 2>"$OUT/rebound.err" &
RPID=$!
ip netns exec "rb${ID}lan" ddclient -file "$WORK/ddclient.conf" -foreground -daemon 60 >"$OUT/ddclient.log" 2>&1 &
DPID=$!

dig_a() { ip netns exec "rb${ID}net" dig +short +time=1 +tries=1 @203.0.113.53 "$1" A 2>/dev/null | head -1; }

# Waits until both records show ADDRESS; prints "rebound_ms ddclient_ms" (empty for a miss).
wait_published() { # SWITCH_TIME ADDRESS
  local sw=$1 want=$2 r_ms="" d_ms="" now
  while :; do
    now=$(date +%s.%N)
    [[ -z $r_ms && $(dig_a gw.home.test) == "$want" ]] && r_ms=$(ms_between "$sw" "$now")
    [[ -z $d_ms && $(dig_a vpn.home.test) == "$want" ]] && d_ms=$(ms_between "$sw" "$now")
    [[ -n $r_ms && -n $d_ms ]] && break
    local waited
    waited=$(ms_between "$sw" "$now")
    ((waited < DDCLIENT_LIMIT * 1000)) || break
    [[ -z $r_ms ]] && ((waited > REBOUND_LIMIT * 1000)) && r_ms=miss
    sleep 0.03
  done
  echo "${r_ms:-miss} ${d_ms:-miss}"
}

# Both start on WAN1's address; let ddclient make its first (unneeded) update before measuring.
sleep 8
for ((cycle = 1; cycle <= CYCLES; cycle++)); do
  for dir in failover failback; do
    want=198.51.100.3
    [[ $dir == failback ]] && want=198.51.100.2
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 2 + 60 * r / 32768 }')"
    sw=$("$LAB" "$dir" "$ID" | awk '{ print $2 }')
    read -r r d < <(wait_published "$sw" "$want")
    echo "rebound,$dir,$cycle,$sw,,${r/miss/}" >>"$SAMPLES"
    echo "ddclient,$dir,$cycle,$sw,,${d/miss/}" >>"$SAMPLES"
    echo "bench: $dir $cycle/$CYCLES: rebound ${r} ms, ddclient ${d} ms" >&2
  done
done

{
  echo "Time from router switch to the authoritative server (BIND) answering with the new address,"
  echo "$CYCLES failovers + $CYCLES failbacks, lab mode renumber, $(basename "$BIN") vs ddclient (daemon=60)"
  echo
  echo "| tool | switches published | p50 ms | p95 ms | max ms |"
  echo "|---|---|---|---|---|"
  for tool in rebound ddclient; do
    lat=$(awk -F, -v t="$tool" '$1 == t && $6 != "" { print $6 }' "$SAMPLES")
    n=$(awk -F, -v t="$tool" '$1 == t' "$SAMPLES" | grep -c . || true)
    n_ok=$(grep -c . <<<"$lat" || true)
    echo "| $tool | $n_ok/$n | $(percentile 50 <<<"$lat") | $(percentile 95 <<<"$lat") | $(percentile 100 <<<"$lat") |"
  done
  echo
  echo "Raw samples: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
