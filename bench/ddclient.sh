# ddclient as the comparison in the benchmarks (sourced, not run): the same install and the same settings
# everywhere, so every benchmark compares Rebound with the same ddclient.

# Installs Debian's ddclient if missing. Debian enables a ddclient service with a sample config that
# talks to the internet: keep it off.
ddclient_install() {
  command -v ddclient >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ddclient >/dev/null
  if [[ -d /run/systemd/system ]]; then systemctl disable --now ddclient >/dev/null 2>&1 || true; fi
}

# Writes WORK/ddclient.conf for NAME in the lab's home.test (nsupdate to BIND with KEY, daemon=60, its
# shortest interval), and WORK/stun-ip, which learns the public address as Rebound does: a fresh-socket
# STUN probe with BIN.
# min-error-interval=0: ddclient 3.10's nsupdate records a success as a failed attempt, which would
# otherwise add its 5-minute error back-off to every update after the first (unfair to ddclient).
ddclient_config() { # WORK BIN KEY NAME
  local work=$1 bin=$2 key=$3 name=$4
  printf '#!/bin/sh\nexec %s probe --server 203.0.113.10:3478 --server 203.0.113.11:3478 --json | jq -r .address\n' "$bin" >"$work/stun-ip"
  chmod 755 "$work/stun-ip"
  cat >"$work/ddclient.conf" <<EOF
daemon=60
syslog=no
min-error-interval=0
pid=$work/ddclient.pid
cache=$work/ddclient.cache
use=cmd, cmd=$work/stun-ip
protocol=nsupdate
server=203.0.113.53
login=/usr/bin/nsupdate
password=$key
zone=home.test
ttl=60
$name
EOF
  chmod 600 "$work/ddclient.conf"
}
