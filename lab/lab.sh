#!/usr/bin/env bash
# Rebound failover lab: a LAN host behind a dual-WAN router, and a tiny "internet".
#
#   LAN host ns (rb<ID>lan)        router ns (rb<ID>rtr)              internet ns (rb<ID>net)
#   eth0 10.77.0.2/24 ---------- lan0 10.77.0.1/24
#                                  wan1 198.51.100.2/24 ------------- isp1 198.51.100.1/24
#                                  wan2 192.0.2.2/24    ------------- isp2 192.0.2.1/24
#                                                                     lo   203.0.113.10/32, .11/32 (STUN, coturn)
#                                                                          and the servers below
#
# The router NATs the LAN to whichever WAN carries new connections (WAN1 at start).
# "failover" makes the router's upstream change the way real routers do, per MODE:
#   masquerade  WAN1 upstream dies, default route moves to WAN2; masqueraded flows get remapped.
#   pinned      same, but NAT is a static SNAT per WAN: existing flows keep the dead WAN's address.
#   renumber    WAN1 gets a new address (198.51.100.2 -> .3) as after a PPPoE redial.
#   blackhole   WAN1 upstream dies and the router does NOT fail over.
#   mwan3       OpenWrt mwan3-style: both WANs keep their routes, per-WAN tables chosen by a connection
#               mark (0x100 -> table 1 via wan1, 0x200 -> table 2 via wan2); WAN1 upstream dies and only
#               the policy for NEW connections moves to WAN2. Existing flows keep their mark (dead WAN).
#   metric      both default routes stay in the main table (wan1 metric 10, wan2 metric 20); WAN1
#               upstream dies and its route's metric goes up to 30. Masquerade on both WANs (so flows
#               get remapped, as in masquerade), or static SNAT with --snat (flows stay pinned).
# "failback" reverses the failover exactly.
#
# Usage:
#   lab.sh up ID MODE [--ipv6] [--cgnat] [--stun-blocked]
#                              build the lab (idempotent). --ipv6: dual stack (2001:db8::/32, a delegated
#                              prefix per WAN, SLAAC from radvd, no NAT66). --cgnat: a carrier NAT with
#                              arbitrary pooling behind WAN2 (203.0.113.N sees 192.0.2.N+40). --stun-blocked:
#                              same as "block-stun ID on" right after up. --snat (metric, mwan3): static SNAT
#                              per WAN instead of masquerade, as in pinned.
#   lab.sh failover ID         prints: switched <unix time with ns> public <expected address|none>
#                              [public6 <LAN host's expected global IPv6 address|none>] (with --ipv6)
#   lab.sh failback ID         same output
#   lab.sh exec ID lan|router|internet|lighthouse|peer CMD...
#   lab.sh stun ID [SERVER]    one fresh STUN request from the LAN host (SERVER may be IPv6); prints the
#                              public address or "none"
#   lab.sh status ID
#   lab.sh counters ID         bytes and packets of STUN traffic (UDP port 3478) seen on the ISP links
#   lab.sh block-stun ID on|off
#                              the router drops UDP to port 3478 forwarded from the LAN (IPv4 and IPv6)
#   lab.sh netem ID DELAY|off  adds DELAY (e.g. 300ms) to the round-trip time of WAN2, half each way
#                              (the kernel has no netem: an NFQUEUE delay line, lab/tools/delayq.py)
#   lab.sh dns ID              start BIND on 203.0.113.53 (authoritative for home.test, RFC 2136 updates
#                              signed with a fresh hmac-sha256 key); prints the key file's path
#   lab.sh http ID             start nginx on 203.0.113.80 (and 2001:db8:f::80): the caller's address as
#                              text (/), JSON (/json) and Cloudflare trace (/cdn-cgi/trace), on HTTP and HTTPS;
#                              prints: url http://203.0.113.80 https https://203.0.113.80 ca <CA file>
#   lab.sh ca ID               prints the lab CA's certificate file (made at up)
#   lab.sh cert ID NAME|IP...  issues a server certificate from the lab CA; prints: cert <file> key <file>
#   lab.sh pdns ID             start PowerDNS on 203.0.113.54 (zone pdns.test with LUA whoami records, HTTP
#                              API on :8081); prints: url <api url> key_file <file> server_id localhost
#                              zone pdns.test dns 203.0.113.54
#   lab.sh smtp ID             start OpenSMTPD on 203.0.113.25:25 (plain SMTP: Debian 12's OpenSMTPD cannot
#                              do TLS) for any user @home.test into maildirs; prints: host 203.0.113.25
#                              port 25 maildir <dir> domain home.test
#   lab.sh mail ID [USER]      the delivered mails of USER (default admin) as file paths, oldest first
#   lab.sh upnp ID [external]  start miniupnpd on the router (NAT-PMP/PCP and UPnP IGD on lan0); prints:
#                              gateway 10.77.0.1 upnp <rootDesc url> ext <wan>; "external" asks it from
#                              the LAN host and prints: natpmp <address|none> upnp <address|none>
#   lab.sh wg ID up [client|server]
#                              a wireguard-go tunnel LAN host (wl<ID>, 10.99.0.2) <-> internet peer (wn<ID>, 10.99.0.1),
#                              keepalive 25 s. client: the LAN host dials 203.0.113.20:51820 (peer on the internet's lo).
#                              server: the LAN host listens on 51820 behind a DNAT port-forward on both WANs, the peer
#                              dials vpn.home.test:51820 through the lab's BIND (starts "dns"). Prints the interface names.
#   lab.sh wg ID down|show     remove the tunnel (processes, UAPI sockets, /etc/netns) / wg show both ends
#   lab.sh nebula ID up        Nebula 1.6: lighthouse 10.42.0.1 (ns rb<ID>nlh, 203.0.113.30:4242), peer 10.42.0.2
#                              (ns rb<ID>npr, 203.0.113.31:4242), LAN host node 10.42.0.10 (listen.port 4242);
#                              waits for the tunnel; prints: lan-config <file> lighthouse 10.42.0.1 peer 10.42.0.2
#                              lan 10.42.0.10
#   lab.sh nebula ID ping [ADDR]   one ping through the tunnel from the LAN host (default the peer); ok|none
#   lab.sh nebula ID restart|down|show
#   lab.sh down ID             tear down (safe to repeat, and after a half-done "up")
#   lab.sh down-all [PREFIX]   tear down every lab (whose id starts with PREFIX) in /run/rebound-lab
#
# ID: 1-8 lower-case letters/digits, unique per concurrent run. Only documentation address
# ranges and private subnets are used, all inside the lab's own namespaces.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_ROOT=/run/rebound-lab

# Addresses (see the drawing above).
LAN_NET=10.77.0.0/24 LAN_RTR=10.77.0.1 LAN_HOST=10.77.0.2
WAN1_NET=198.51.100.0/24 WAN1_ISP=198.51.100.1 WAN1_ADDR=198.51.100.2 WAN1_RENUMBERED=198.51.100.3
WAN2_NET=192.0.2.0/24 WAN2_ISP=192.0.2.1 WAN2_ADDR=192.0.2.2
STUN1=203.0.113.10 STUN2=203.0.113.11 STUN_PORT=3478
DNS_ADDR=203.0.113.53 DNS_ZONE=home.test DNS_KEY_NAME=rebound-lab
# Servers started by their subcommands, on the internet's lo (IPv6: 2001:db8:f::N for 203.0.113.N).
HTTP_ADDR=203.0.113.80 PDNS_ADDR=203.0.113.54 PDNS_API_PORT=8081 SMTP_ADDR=203.0.113.25
MODES="masquerade pinned renumber blackhole mwan3 metric"
UP_OPTIONS="--ipv6 --cgnat --stun-blocked --snat"
# mwan3 and metric modes.
MWAN3_MARK1=0x100 MWAN3_MARK2=0x200 MWAN3_MASK=0xff00
METRIC_WAN1=10 METRIC_WAN2=20 METRIC_WAN1_DEAD=30

die() { echo "lab: $*" >&2; exit 2; }
log() { echo "lab: $*" >&2; }
now() { date +%s.%N; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------- names and state
set_id() {
  ID=${1:-}
  [[ $ID =~ ^[a-z0-9]{1,8}$ ]] || die "ID must be 1-8 characters of [a-z0-9], got '${ID}'"
  NS_LAN=rb${ID}lan NS_RTR=rb${ID}rtr NS_NET=rb${ID}net
  NS_NLH=rb${ID}nlh NS_NPR=rb${ID}npr # nebula lighthouse and peer, attached to the internet
  STATE=$STATE_ROOT/$ID
}

all_namespaces() { echo "$NS_LAN $NS_RTR $NS_NET $NS_NLH $NS_NPR"; }
ns_exists() { [[ -e /run/netns/$1 ]]; } # where "ip netns add" puts them
in_lan() { ip netns exec "$NS_LAN" "$@"; }
in_rtr() { ip netns exec "$NS_RTR" "$@"; }
in_net() { ip netns exec "$NS_NET" "$@"; }
mode() { cat "$STATE/mode" 2>/dev/null || true; }
phase() { cat "$STATE/phase" 2>/dev/null || echo normal; }
has_opt() { grep -qx -- "$1" "$STATE/options" 2>/dev/null; } # an "up" option, e.g. has_opt --ipv6

need_up() {
  [[ -f $STATE/ready ]] || die "lab $ID is not up (run: lab.sh up $ID MODE)"
}

# Starts a daemon in the background with its output in $STATE/NAME.log and its pid in $STATE/NAME.pid.
# stdin/stdout/stderr are redirected so that nobody reading lab.sh's output waits for the daemon.
# "ip netns exec" execs the daemon, so the pid is the daemon's own.
spawn() { # NAME NAMESPACE CMD...
  local name=$1 ns=$2
  shift 2
  ip netns exec "$ns" "$@" >"$STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}

alive() { # PID: running, not a zombie (dead daemons wait a while for PID 1 to reap them here)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

running() { # NAME: is the daemon started by spawn NAME alive?
  local pid
  pid=$(cat "$STATE/$1.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"
}

stop() { # NAME [GRACE]: stop a daemon started by spawn (SIGTERM, SIGKILL after GRACE x 20 ms, default 1 s)
  local pid i grace=${2:-50}
  pid=$(cat "$STATE/$1.pid" 2>/dev/null || true)
  rm -f "$STATE/$1.pid"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  ((grace > 0)) && kill "$pid" 2>/dev/null
  for ((i = 0; i < grace; i++)); do
    alive "$pid" || return 0
    sleep 0.02
  done
  kill -9 "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.02
  done
}

wait_until() { # TRIES DESCRIPTION CMD...: run CMD every 20 ms until it succeeds (exit 0) or gives up (exit 2)
  local tries=$1 what=$2 i
  shift 2
  local rc
  for ((i = 0; i < tries; i++)); do
    rc=0
    "$@" >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && return 0
    ((rc == 2)) && break # CMD says: it will never succeed (e.g. the daemon died)
    sleep 0.02
  done
  log "timed out waiting for $what"
  return 1
}

# ---------------------------------------------------------------- up
cmd_up() {
  set_id "${1:-}"
  local m=${2:-} opt opts=()
  [[ " $MODES " == *" $m "* ]] || die "MODE must be one of: $MODES"
  shift 2
  for opt in "$@"; do
    [[ " $UP_OPTIONS " == *" $opt "* ]] || die "unknown option '$opt' (options: $UP_OPTIONS)"
  done
  for opt in $UP_OPTIONS; do # canonical order, so that a repeated "up" compares equal
    [[ " $* " == *" $opt "* ]] && opts+=("$opt")
  done
  [[ " $* " != *" --snat "* || $m == metric || $m == mwan3 ]] ||
    die "--snat is for modes metric and mwan3 (pinned is masquerade with --snat)"
  if [[ -f $STATE/ready ]]; then
    [[ $(mode) == "$m" && $(cat "$STATE/options") == "$(printf '%s\n' "${opts[@]}")" ]] ||
      die "lab $ID is already up in mode $(mode) $(tr '\n' ' ' <"$STATE/options"); run down first"
    log "lab $ID already up ($m)"
    return 0
  fi
  # A half-built lab from an earlier failed "up": clear it first.
  if [[ -d $STATE ]] || ns_exists "$NS_LAN" || ns_exists "$NS_RTR" || ns_exists "$NS_NET"; then
    cmd_down "$ID" >/dev/null
  fi
  mkdir -p "$STATE"
  echo "$m" >"$STATE/mode"
  printf '%s\n' "${opts[@]}" >"$STATE/options"
  echo normal >"$STATE/phase"
  # If anything below fails, leave nothing behind.
  trap 'log "up failed; tearing down"; cmd_down "$ID" >/dev/null 2>&1 || true' ERR

  local ns
  for ns in "$NS_LAN" "$NS_RTR" "$NS_NET"; do
    ip netns add "$ns"
    if has_opt --ipv6; then
      ipv6_namespace_defaults "$ns"
    else
      # IPv4-only: no IPv6 (and so no link-local addresses appearing late).
      ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
    # No reverse-path filtering: drops in this lab happen only where we put them, visibly.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    ip -n "$ns" link set lo up
  done

  # Links are created inside the namespaces, so no names ever appear in the root namespace.
  ip -n "$NS_LAN" link add eth0 type veth peer name lan0 netns "$NS_RTR"
  ip -n "$NS_RTR" link add wan1 type veth peer name isp1 netns "$NS_NET"
  ip -n "$NS_RTR" link add wan2 type veth peer name isp2 netns "$NS_NET"

  # LAN host: one address, default route via the router.
  has_opt --ipv6 && ip -n "$NS_LAN" link set eth0 address "$LAN_HOST_MAC"
  ip -n "$NS_LAN" addr add "$LAN_HOST/24" dev eth0
  ip -n "$NS_LAN" link set eth0 up
  ip -n "$NS_LAN" route add default via "$LAN_RTR"

  # Router: LAN side, two WANs, forwarding on.
  ip -n "$NS_RTR" addr add "$LAN_RTR/24" dev lan0
  ip -n "$NS_RTR" addr add "$WAN1_ADDR/24" dev wan1
  ip -n "$NS_RTR" addr add "$WAN2_ADDR/24" dev wan2
  for l in lan0 wan1 wan2; do ip -n "$NS_RTR" link set "$l" up; done
  in_rtr sysctl -qw net.ipv4.ip_forward=1
  router_routes "$m"

  # Router NAT. pinned (and --snat): static SNAT per WAN, which never re-evaluates an existing flow.
  # Otherwise masquerade on both WANs.
  local nat
  if [[ $m == pinned ]] || has_opt --snat; then
    nat="oifname \"wan1\" snat to $WAN1_ADDR
      oifname \"wan2\" snat to $WAN2_ADDR"
  else
    nat='oifname "wan1" masquerade
      oifname "wan2" masquerade'
  fi
  in_rtr nft -f - <<EOF
table ip rblab {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    $nat
  }
}
EOF
  [[ $m == mwan3 ]] && mwan3_marks

  # Internet: the ISP ends of both WANs, and service addresses on lo.
  ip -n "$NS_NET" addr add "$WAN1_ISP/24" dev isp1
  ip -n "$NS_NET" addr add "$WAN2_ISP/24" dev isp2
  for l in isp1 isp2; do ip -n "$NS_NET" link set "$l" up; done
  ip -n "$NS_NET" addr add "$STUN1/32" dev lo
  ip -n "$NS_NET" addr add "$STUN2/32" dev lo

  # Internet filtering, in order:
  #  1. count STUN traffic on the ISP links (what the LAN host costs on the wire);
  #  2. "isp1_dead": empty while WAN1's upstream is alive, a drop rule while it is dead;
  #  3. ISP ingress filtering: each ISP accepts only its own subscriber addresses as source.
  local isp2_subscribers=$WAN2_NET ipv6_rules=""
  has_opt --cgnat && isp2_subscribers=$CGNAT_SUBSCRIBERS
  has_opt --ipv6 && ipv6_rules=$(ipv6_ingress_rules)
  in_net nft -f - <<EOF
table inet rblab {
  counter stun_up {}
  counter stun_down {}
  counter isp1_ingress_dropped {}
  counter isp2_ingress_dropped {}
  chain isp1_dead {
  }
  $ipv6_rules
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    iifname { "isp1", "isp2" } udp dport $STUN_PORT counter name "stun_up"
    iifname "isp1" jump isp1_dead
    iifname "isp1" ip saddr != $WAN1_NET counter name "isp1_ingress_dropped" drop
    iifname "isp2" ip saddr != $isp2_subscribers counter name "isp2_ingress_dropped" drop
    ${ipv6_rules:+iifname "isp1" ip6 saddr != @isp1_v6 counter name "isp1_ingress_dropped" drop}
    ${ipv6_rules:+iifname "isp2" ip6 saddr != @isp2_v6 counter name "isp2_ingress_dropped" drop}
  }
  chain out {
    type filter hook output priority raw; policy accept;
    oifname "isp1" jump isp1_dead
  }
  chain forward {
    type filter hook forward priority raw; policy accept;
    oifname "isp1" jump isp1_dead
  }
  chain post {
    type filter hook postrouting priority raw; policy accept;
    oifname { "isp1", "isp2" } udp sport $STUN_PORT counter name "stun_down"
  }
}
EOF
  has_opt --cgnat && cgnat_up
  has_opt --ipv6 && ipv6_up "$m"

  # coturn, STUN only, on both service addresses (and their IPv6 twins).
  local listen=(-L "$STUN1" -L "$STUN2")
  has_opt --ipv6 && listen+=(-L "$(v6_service "$STUN1")" -L "$(v6_service "$STUN2")")
  spawn coturn "$NS_NET" turnserver -n --stun-only "${listen[@]}" --no-cli --no-tls --no-dtls \
    --log-file=stdout --simple-log --pidfile="$STATE/turnserver.pid" --userdb="$STATE/turndb"
  wait_until 250 "coturn on $STUN1/$STUN2:$STUN_PORT" coturn_listening ||
    { cat "$STATE/coturn.log" >&2; false; }

  lab_ca_create
  has_opt --stun-blocked && stun_block on
  has_opt --ipv6 && ipv6_wait_lan_address "$(lan_v6_address "$V6_PREFIX1")"

  trap - ERR
  echo "switched $(now) public $WAN1_ADDR$(public6_suffix "$(lan_v6_address "$V6_PREFIX1")")" >"$STATE/last-switch"
  touch "$STATE/ready"
  log "lab $ID up: mode $m $(tr '\n' ' ' <"$STATE/options")public address $WAN1_ADDR"
}

coturn_listening() {
  local listening
  running coturn || return 2
  listening=$(in_net ss -Huln)
  [[ $listening == *"$STUN1:$STUN_PORT"* && $listening == *"$STUN2:$STUN_PORT"* ]] || return 1
  ! has_opt --ipv6 || [[ $listening == *"[$(v6_service "$STUN1")]:$STUN_PORT"* ]]
}

# Main-table routes per mode; mwan3 adds a table per WAN chosen by the connection mark.
router_routes() { # MODE
  case $1 in
    metric)
      ip -n "$NS_RTR" route add default via "$WAN1_ISP" dev wan1 metric "$METRIC_WAN1"
      ip -n "$NS_RTR" route add default via "$WAN2_ISP" dev wan2 metric "$METRIC_WAN2"
      ;;
    mwan3)
      # As netifd installs them: both defaults in main, by metric. mwan3 adds a table per WAN with the
      # WAN's default and a copy of the connected routes (mwan3rtmon), chosen by the mark.
      ip -n "$NS_RTR" route add default via "$WAN1_ISP" dev wan1 metric "$METRIC_WAN1"
      ip -n "$NS_RTR" route add default via "$WAN2_ISP" dev wan2 metric "$METRIC_WAN2"
      ip -n "$NS_RTR" route add default via "$WAN1_ISP" dev wan1 table 1
      ip -n "$NS_RTR" route add "$LAN_NET" dev lan0 table 1
      ip -n "$NS_RTR" route add default via "$WAN2_ISP" dev wan2 table 2
      ip -n "$NS_RTR" route add "$LAN_NET" dev lan0 table 2
      ip -n "$NS_RTR" rule add pref 1001 fwmark "$MWAN3_MARK1/$MWAN3_MASK" lookup 1
      ip -n "$NS_RTR" rule add pref 1002 fwmark "$MWAN3_MARK2/$MWAN3_MASK" lookup 2
      ;;
    *)
      ip -n "$NS_RTR" route add default via "$WAN1_ISP" dev wan1
      ;;
  esac
}

# mwan3's connection marking (IPv4), as its iptables rules do it: a connection without a mark yet gets
# the mark of the current policy (chain mwan3_policy, switched by failover), or of the WAN it came in
# from; every packet gets its connection's mark back, so an existing flow keeps its WAN whatever the
# policy says now. The same for the router's own traffic to the WANs (a route chain: the mark re-routes
# the packet). "No mark yet" rather than "ct state new": a flow that never got an answer stays NEW for
# conntrack on every packet, and would follow the policy.
mwan3_marks() {
  in_rtr nft -f - <<EOF
table inet rbmwan3 {
  chain mwan3_policy {
    ct mark set $MWAN3_MARK1
  }
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    meta nfproto ipv4 ct mark and $MWAN3_MASK == 0 iifname "lan0" jump mwan3_policy
    meta nfproto ipv4 ct mark and $MWAN3_MASK == 0 iifname "wan1" ct mark set $MWAN3_MARK1
    meta nfproto ipv4 ct mark and $MWAN3_MASK == 0 iifname "wan2" ct mark set $MWAN3_MARK2
    meta nfproto ipv4 meta mark set ct mark
  }
  chain output {
    type route hook output priority mangle; policy accept;
    meta nfproto ipv4 ct mark and $MWAN3_MASK == 0 oifname { "wan1", "wan2" } jump mwan3_policy
    meta nfproto ipv4 meta mark set ct mark
  }
}
EOF
}

mwan3_policy() { # MARK: the mark new connections get from now on
  in_rtr nft -f - <<EOF
flush chain inet rbmwan3 mwan3_policy
add rule inet rbmwan3 mwan3_policy ct mark set $1
EOF
}

metric_wan1() { # FROM TO [-6]: move WAN1's default route (IPv6 with -6) from metric FROM to metric TO
  local via=$WAN1_ISP
  [[ ${3:-} == -6 ]] && via=$V6_WAN1_LINK::1
  ip -n "$NS_RTR" ${3:-} route add default via "$via" dev wan1 metric "$2"
  ip -n "$NS_RTR" ${3:-} route del default via "$via" dev wan1 metric "$1"
}

# ---------------------------------------------------------------- failover / failback
# Each prints one line: "switched <time> public <address|none>", the time taken right at the
# route/address/policy change (date +%s.%N), for detection-latency measurements.
isp1_kill() { in_net nft add rule inet rblab isp1_dead counter drop; }
isp1_revive() { in_net nft flush chain inet rblab isp1_dead; }
announce() { # TIME PUBLIC [PUBLIC6]
  echo "switched $1 public $2$(public6_suffix "${3:-}")" | tee "$STATE/last-switch"
}
public6_suffix() { has_opt --ipv6 && echo " public6 ${1:-none}" || true; }

cmd_failover() {
  set_id "${1:-}"
  need_up
  if [[ $(phase) == failed-over ]]; then
    log "lab $ID already failed over"
    cat "$STATE/last-switch"
    return 0
  fi
  local m t pub pub6=none
  m=$(mode)
  case $m in
    masquerade | pinned)
      isp1_kill
      ip -n "$NS_RTR" route replace default via "$WAN2_ISP" dev wan2
      t=$(now) pub=$WAN2_ADDR
      ;;
    mwan3)
      isp1_kill
      mwan3_policy "$MWAN3_MARK2"
      t=$(now) pub=$WAN2_ADDR
      ;;
    metric)
      isp1_kill
      metric_wan1 "$METRIC_WAN1" "$METRIC_WAN1_DEAD"
      t=$(now) pub=$WAN2_ADDR
      ;;
    renumber)
      ip -n "$NS_RTR" addr del "$WAN1_ADDR/24" dev wan1
      ip -n "$NS_RTR" addr add "$WAN1_RENUMBERED/24" dev wan1
      ip -n "$NS_RTR" route replace default via "$WAN1_ISP" dev wan1
      t=$(now) pub=$WAN1_RENUMBERED
      ;;
    blackhole)
      isp1_kill
      t=$(now) pub=none
      ;;
  esac
  has_opt --cgnat && [[ $pub == "$WAN2_ADDR" ]] && pub=$(cgnat_public_for "$STUN1")
  has_opt --ipv6 && pub6=$(ipv6_failover "$m")
  echo failed-over >"$STATE/phase"
  upnp_follow_uplink
  announce "$t" "$pub" "$pub6"
}

cmd_failback() {
  set_id "${1:-}"
  need_up
  if [[ $(phase) != failed-over ]]; then
    log "lab $ID is not failed over"
    cat "$STATE/last-switch"
    return 0
  fi
  local m t
  m=$(mode)
  case $m in
    masquerade | pinned)
      isp1_revive
      ip -n "$NS_RTR" route replace default via "$WAN1_ISP" dev wan1
      t=$(now)
      ;;
    mwan3)
      isp1_revive
      mwan3_policy "$MWAN3_MARK1"
      t=$(now)
      ;;
    metric)
      isp1_revive
      metric_wan1 "$METRIC_WAN1_DEAD" "$METRIC_WAN1"
      t=$(now)
      ;;
    renumber)
      ip -n "$NS_RTR" addr del "$WAN1_RENUMBERED/24" dev wan1
      ip -n "$NS_RTR" addr add "$WAN1_ADDR/24" dev wan1
      ip -n "$NS_RTR" route replace default via "$WAN1_ISP" dev wan1
      t=$(now)
      ;;
    blackhole)
      isp1_revive
      t=$(now)
      ;;
  esac
  has_opt --ipv6 && ipv6_failback "$m"
  echo normal >"$STATE/phase"
  upnp_follow_uplink
  announce "$t" "$WAN1_ADDR" "$(lan_v6_address "$V6_PREFIX1")"
}

# The WAN that carries new connections from the LAN now.
current_uplink() {
  if [[ $(phase) == failed-over && " masquerade pinned mwan3 metric " == *" $(mode) "* ]]; then
    echo wan2
  else
    echo wan1
  fi
}

# ---------------------------------------------------------------- exec / stun / status / counters
cmd_exec() {
  set_id "${1:-}"
  local where=${2:-}
  shift 2 || usage
  (($# > 0)) || usage
  case $where in
    lan) exec ip netns exec "$NS_LAN" "$@" ;;
    router | rtr) exec ip netns exec "$NS_RTR" "$@" ;;
    internet | net) exec ip netns exec "$NS_NET" "$@" ;;
    lighthouse) exec ip netns exec "$NS_NLH" "$@" ;;
    peer) exec ip netns exec "$NS_NPR" "$@" ;;
    *) die "where must be lan, router, internet, lighthouse or peer" ;;
  esac
}

cmd_stun() {
  set_id "${1:-}"
  need_up
  local server=${2:-$STUN1} out pid i alive addr=""
  # turnutils_stunclient prints "UDP reflexive addr: ADDRESS:PORT" (IPv6 too, no brackets), then waits
  # for an answer to its RFC 5780 change request, which the NAT drops: take the first answer and stop
  # it (line-buffered by stdbuf); give up after 2 s.
  out=$(mktemp "$STATE/stun.XXXXXX")
  in_lan timeout 2 stdbuf -oL turnutils_stunclient -p "$STUN_PORT" "$server" >"$out" 2>&1 </dev/null &
  pid=$!
  for ((i = 0; i < 100; i++)); do
    alive=1
    kill -0 "$pid" 2>/dev/null || alive=0
    addr=$(sed -n 's/.*UDP reflexive addr: \([0-9a-f.:]*\):[0-9]*$/\1/p' "$out" | head -n1)
    [[ -n $addr || $alive == 0 ]] && break
    sleep 0.02
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$out"
  if [[ -n $addr ]]; then echo "$addr"; else echo none; return 1; fi
}

counter_bytes() { in_net nft list counter inet rblab "$1" | sed -n 's/.*bytes \([0-9]*\).*/\1/p'; }
counter_packets() { in_net nft list counter inet rblab "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'; }

cmd_counters() {
  set_id "${1:-}"
  need_up
  echo "stun_up_bytes $(counter_bytes stun_up) stun_up_packets $(counter_packets stun_up)" \
    "stun_down_bytes $(counter_bytes stun_down) stun_down_packets $(counter_packets stun_down)"
}

cmd_status() {
  set_id "${1:-}"
  if [[ ! -d $STATE ]]; then echo "lab $ID: down"; return 0; fi
  echo "lab $ID: mode $(mode) $(tr '\n' ' ' <"$STATE/options" 2>/dev/null)phase $(phase), $([[ -f $STATE/ready ]] && echo ready || echo 'NOT ready')"
  local ns
  for ns in $(all_namespaces); do
    ns_exists "$ns" && echo "  namespace $ns: present"
  done
  for ns in "$NS_LAN" "$NS_RTR" "$NS_NET"; do
    ns_exists "$ns" || echo "  namespace $ns: missing"
  done
  if ns_exists "$NS_RTR"; then
    echo "  router default: $(ip -n "$NS_RTR" route show default | tr '\n' ';')"
    echo "  router wan1: $(ip -n "$NS_RTR" -4 -o addr show dev wan1 | awk '{print $4}' | tr '\n' ' ')"
    [[ $(mode) == mwan3 ]] && echo "  mwan3 policy for new connections: $(in_rtr nft list chain inet rbmwan3 mwan3_policy | grep -o 'ct mark set 0x[0-9a-f]*')"
    echo "  uplink for new connections: $(current_uplink)"
    echo "  stun from the LAN: $(in_rtr nft list table inet rbstunblock >/dev/null 2>&1 && echo blocked || echo allowed)"
    echo "  netem on wan2: $(cat "$STATE/netem" 2>/dev/null || echo off)"
  fi
  if ns_exists "$NS_NET"; then
    echo "  wan1 upstream: $(in_net nft list chain inet rblab isp1_dead | grep -q drop && echo dead || echo alive)"
    echo "  stun traffic: $(cmd_counters "$ID")"
  fi
  local name
  for name in coturn radvd named nginx pdns smtpd miniupnpd nebula-lighthouse nebula-peer nebula-lan; do
    running "$name" && echo "  $name: running (pid $(cat "$STATE/$name.pid"))"
  done
  running coturn || echo "  coturn: not running"
}

# ---------------------------------------------------------------- down
cmd_down() {
  set_id "${1:-}"
  local pid ns p
  # Processes the lab started, by pid file.
  for pid in "$STATE"/*.pid; do
    [[ -f $pid ]] || continue
    p=$(cat "$pid" 2>/dev/null || true)
    [[ $p =~ ^[0-9]+$ ]] && kill "$p" 2>/dev/null || true
  done
  # Anything else still running inside the lab's namespaces (e.g. a rebound started there).
  for ns in $(all_namespaces); do
    if ns_exists "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    fi
  done
  sleep 0.1
  for ns in $(all_namespaces); do
    if ns_exists "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
  wg_cleanup
  rm -rf "$STATE"
  log "lab $ID down"
}

cmd_down_all() { # [PREFIX]: only labs whose id starts with PREFIX
  local d prefix=${1:-}
  [[ -d $STATE_ROOT ]] || return 0
  for d in "$STATE_ROOT/$prefix"*/; do
    [[ -d $d ]] || continue
    cmd_down "$(basename "$d")"
  done
}

# ---------------------------------------------------------------- the parts, one file each
for part in ipv6 impairments ca dns http pdns smtp upnp wireguard nebula; do
  # shellcheck source=/dev/null
  source "$LAB_DIR/lib/$part.sh"
done

# ---------------------------------------------------------------- main
[[ $(id -u) == 0 ]] || die "must run as root (network namespaces)"
sub=${1:-}
shift || true
case $sub in
  up) cmd_up "$@" ;;
  failover) cmd_failover "$@" ;;
  failback) cmd_failback "$@" ;;
  exec) cmd_exec "$@" ;;
  stun) cmd_stun "$@" ;;
  status) cmd_status "$@" ;;
  counters) cmd_counters "$@" ;;
  block-stun) cmd_block_stun "$@" ;;
  netem) cmd_netem "$@" ;;
  dns) cmd_dns "$@" ;;
  http) cmd_http "$@" ;;
  ca) cmd_ca "$@" ;;
  cert) cmd_cert "$@" ;;
  pdns) cmd_pdns "$@" ;;
  smtp) cmd_smtp "$@" ;;
  mail) cmd_mail "$@" ;;
  upnp) cmd_upnp "$@" ;;
  wg) cmd_wg "$@" ;;
  nebula) cmd_nebula "$@" ;;
  down) cmd_down "$@" ;;
  down-all) cmd_down_all "$@" ;;
  *) usage ;;
esac
