#!/usr/bin/env bash
# Measures how long each lab set-up step takes (the figures in lab/README.md): median and max of RUNS
# runs, wall clock of the lab.sh command, on a fresh lab each run.
#
# Usage: sudo lab/timings.sh [RUNS]     (default 5; lab ids start with $REBOUND_LAB_PREFIX, default "tm")
set -euo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)/lab.sh
RUNS=${1:-5}
ID=${REBOUND_LAB_PREFIX:-tm}timing
trap 'bash "$LAB" down "$ID" >/dev/null 2>&1 || true' EXIT

declare -A samples
elapsed() { # NAME CMD...: run CMD, add its wall-clock time (ms) to NAME's samples
  local name=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  samples[$name]+="$(((t1 - t0) / 1000000)) "
}

# The LAN host's address in the new prefix, usable (past DAD), counted from the failover.
v6_ready() {
  local a
  for ((i = 0; i < 500; i++)); do
    a=$(bash "$LAB" exec "$ID" lan ip -6 -o addr show dev eth0 scope global)
    [[ $a == *" $1/64 "* && $a != *"$1/64 "*tentative* ]] && return 0
    sleep 0.01
  done
  return 1
}

for ((run = 0; run < RUNS; run++)); do
  elapsed "up masquerade" bash "$LAB" up "$ID" masquerade
  elapsed "failover (masquerade)" bash "$LAB" failover "$ID"
  elapsed "dns (BIND)" bash "$LAB" dns "$ID"
  elapsed "http (nginx)" bash "$LAB" http "$ID"
  elapsed "pdns (PowerDNS)" bash "$LAB" pdns "$ID"
  elapsed "smtp (OpenSMTPD)" bash "$LAB" smtp "$ID"
  elapsed "upnp (miniupnpd)" bash "$LAB" upnp "$ID"
  elapsed "failback with miniupnpd (restart on wan1)" bash "$LAB" failback "$ID"
  elapsed "nebula up (3 nodes, first ping through)" bash "$LAB" nebula "$ID" up
  elapsed "wg up client" bash "$LAB" wg "$ID" up client
  elapsed "netem 300ms" bash "$LAB" netem "$ID" 300ms
  elapsed "down (everything above running)" bash "$LAB" down "$ID"

  elapsed "up mwan3" bash "$LAB" up "$ID" mwan3
  bash "$LAB" down "$ID" >/dev/null 2>&1
  elapsed "up pinned --cgnat" bash "$LAB" up "$ID" pinned --cgnat
  bash "$LAB" down "$ID" >/dev/null 2>&1

  elapsed "up masquerade --ipv6 (until SLAAC address)" bash "$LAB" up "$ID" masquerade --ipv6
  elapsed "ipv6 failover: new prefix usable (RA + DAD)" bash -c "bash '$LAB' failover '$ID' && $(declare -f v6_ready); LAB='$LAB' ID='$ID' v6_ready 2001:db8:2::ff:fe00:2"
  bash "$LAB" down "$ID" >/dev/null 2>&1
done

printf '%-48s %8s %8s\n' "step ($RUNS runs)" "median" "max"
for name in "${!samples[@]}"; do
  read -ra v <<<"${samples[$name]}"
  mapfile -t sorted < <(printf '%s\n' "${v[@]}" | sort -n)
  printf '%-48s %6s ms %6s ms\n' "$name" "${sorted[$((${#sorted[@]} / 2))]}" "${sorted[-1]}"
done | sort
