#!/usr/bin/env bash
# Rebound failover lab: a LAN host behind a dual-WAN router, and a tiny "internet".
#
#   LAN host ns (rb<ID>lan)        router ns (rb<ID>rtr)              internet ns (rb<ID>net)
#   eth0 10.77.0.2/24 ---------- lan0 10.77.0.1/24
#                                  wan1 198.51.100.2/24 ------------- isp1 198.51.100.1/24
#                                  wan2 192.0.2.2/24    ------------- isp2 192.0.2.1/24
#                                                                     lo   203.0.113.10/32, .11/32 (STUN, coturn)
#
# The router NATs the LAN to whichever WAN carries its default route (WAN1 at start).
# "failover" makes the router's upstream change the way real routers do, per MODE:
#   masquerade  WAN1 upstream dies, default route moves to WAN2; masqueraded flows get remapped.
#   pinned      same, but NAT is a static SNAT per WAN: existing flows keep the dead WAN's address.
#   renumber    WAN1 gets a new address (198.51.100.2 -> .3) as after a PPPoE redial.
#   blackhole   WAN1 upstream dies and the router does NOT fail over.
# "failback" reverses the failover exactly.
#
# Usage:
#   lab.sh up ID MODE          build the lab (idempotent)
#   lab.sh failover ID         prints: switched <unix time with ns> public <expected address|none>
#   lab.sh failback ID         same output
#   lab.sh exec ID lan|router|internet CMD...
#   lab.sh stun ID [SERVER]    one fresh STUN request from the LAN host; prints the public address or "none"
#   lab.sh status ID
#   lab.sh counters ID         bytes and packets of STUN traffic (UDP port 3478) seen on the ISP links
#   lab.sh dns ID              start BIND on 203.0.113.53 (authoritative for home.test, RFC 2136 updates
#                              signed with a fresh hmac-sha256 key); prints the key file's path
#   lab.sh wg ID up [client|server]
#                              a wireguard-go tunnel LAN host (wl<ID>, 10.99.0.2) <-> internet peer (wn<ID>, 10.99.0.1),
#                              keepalive 25 s. client: the LAN host dials 203.0.113.20:51820 (peer on the internet's lo).
#                              server: the LAN host listens on 51820 behind a DNAT port-forward on both WANs, the peer
#                              dials vpn.home.test:51820 through the lab's BIND (starts "dns"). Prints the interface names.
#   lab.sh wg ID down|show     remove the tunnel (processes, UAPI sockets, /etc/netns) / wg show both ends
#   lab.sh down ID             tear down (safe to repeat, and after a half-done "up")
#   lab.sh down-all [PREFIX]   tear down every lab (whose id starts with PREFIX) in /run/rebound-lab
#
# ID: 1-8 lower-case letters/digits, unique per concurrent run. Only documentation address
# ranges and a private LAN subnet are used, all inside the lab's own namespaces.
set -euo pipefail

STATE_ROOT=/run/rebound-lab

# Addresses (see the drawing above).
LAN_NET=10.77.0.0/24 LAN_RTR=10.77.0.1 LAN_HOST=10.77.0.2
WAN1_NET=198.51.100.0/24 WAN1_ISP=198.51.100.1 WAN1_ADDR=198.51.100.2 WAN1_RENUMBERED=198.51.100.3
WAN2_NET=192.0.2.0/24 WAN2_ISP=192.0.2.1 WAN2_ADDR=192.0.2.2
STUN1=203.0.113.10 STUN2=203.0.113.11 STUN_PORT=3478
DNS_ADDR=203.0.113.53 DNS_ZONE=home.test DNS_KEY_NAME=rebound-lab
MODES="masquerade pinned renumber blackhole"

die() { echo "lab: $*" >&2; exit 2; }
log() { echo "lab: $*" >&2; }
now() { date +%s.%N; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

# ---------------------------------------------------------------- names and state
set_id() {
  ID=${1:-}
  [[ $ID =~ ^[a-z0-9]{1,8}$ ]] || die "ID must be 1-8 characters of [a-z0-9], got '${ID}'"
  NS_LAN=rb${ID}lan NS_RTR=rb${ID}rtr NS_NET=rb${ID}net
  STATE=$STATE_ROOT/$ID
}

ns_exists() { [[ -e /run/netns/$1 ]]; } # where "ip netns add" puts them
in_lan() { ip netns exec "$NS_LAN" "$@"; }
in_rtr() { ip netns exec "$NS_RTR" "$@"; }
in_net() { ip netns exec "$NS_NET" "$@"; }
mode() { cat "$STATE/mode" 2>/dev/null || true; }
phase() { cat "$STATE/phase" 2>/dev/null || echo normal; }

need_up() {
  [[ -f $STATE/ready ]] || die "lab $ID is not up (run: lab.sh up $ID MODE)"
}

# ---------------------------------------------------------------- up
cmd_up() {
  set_id "${1:-}"
  local m=${2:-}
  [[ " $MODES " == *" $m "* ]] || die "MODE must be one of: $MODES"
  if [[ -f $STATE/ready ]]; then
    [[ $(mode) == "$m" ]] || die "lab $ID is already up in mode $(mode); run down first"
    log "lab $ID already up ($m)"
    return 0
  fi
  # A half-built lab from an earlier failed "up": clear it first.
  if [[ -d $STATE ]] || ns_exists "$NS_LAN" || ns_exists "$NS_RTR" || ns_exists "$NS_NET"; then
    cmd_down "$ID" >/dev/null
  fi
  mkdir -p "$STATE"
  echo "$m" >"$STATE/mode"
  echo normal >"$STATE/phase"
  # If anything below fails, leave nothing behind.
  trap 'log "up failed; tearing down"; cmd_down "$ID" >/dev/null 2>&1 || true' ERR

  for ns in "$NS_LAN" "$NS_RTR" "$NS_NET"; do
    ip netns add "$ns"
    # The lab is IPv4-only: no IPv6 (and so no link-local addresses appearing late).
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    # No reverse-path filtering: drops in this lab happen only where we put them, visibly.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    ip -n "$ns" link set lo up
  done

  # Links are created inside the namespaces, so no names ever appear in the root namespace.
  ip -n "$NS_LAN" link add eth0 type veth peer name lan0 netns "$NS_RTR"
  ip -n "$NS_RTR" link add wan1 type veth peer name isp1 netns "$NS_NET"
  ip -n "$NS_RTR" link add wan2 type veth peer name isp2 netns "$NS_NET"

  # LAN host: one address, default route via the router.
  ip -n "$NS_LAN" addr add "$LAN_HOST/24" dev eth0
  ip -n "$NS_LAN" link set eth0 up
  ip -n "$NS_LAN" route add default via "$LAN_RTR"

  # Router: LAN side, two WANs, default via WAN1, forwarding on.
  ip -n "$NS_RTR" addr add "$LAN_RTR/24" dev lan0
  ip -n "$NS_RTR" addr add "$WAN1_ADDR/24" dev wan1
  ip -n "$NS_RTR" addr add "$WAN2_ADDR/24" dev wan2
  for l in lan0 wan1 wan2; do ip -n "$NS_RTR" link set "$l" up; done
  ip -n "$NS_RTR" route add default via "$WAN1_ISP" dev wan1
  in_rtr sysctl -qw net.ipv4.ip_forward=1

  # Router NAT. masquerade/renumber/blackhole: masquerade on both WANs.
  # pinned: static SNAT per WAN, which never re-evaluates an existing flow.
  local nat
  if [[ $m == pinned ]]; then
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

  # Internet: the ISP ends of both WANs, and service addresses on lo.
  ip -n "$NS_NET" addr add "$WAN1_ISP/24" dev isp1
  ip -n "$NS_NET" addr add "$WAN2_ISP/24" dev isp2
  for l in isp1 isp2; do ip -n "$NS_NET" link set "$l" up; done
  ip -n "$NS_NET" addr add "$STUN1/32" dev lo
  ip -n "$NS_NET" addr add "$STUN2/32" dev lo

  # Internet filtering, in order:
  #  1. count STUN traffic on the ISP links (what the LAN host costs on the wire);
  #  2. "isp1_dead": empty while WAN1's upstream is alive, a drop rule while it is dead;
  #  3. ISP ingress filtering: each ISP accepts only its own subscriber subnet as source.
  in_net nft -f - <<EOF
table inet rblab {
  counter stun_up {}
  counter stun_down {}
  counter isp1_ingress_dropped {}
  counter isp2_ingress_dropped {}
  chain isp1_dead {
  }
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    iifname { "isp1", "isp2" } udp dport $STUN_PORT counter name "stun_up"
    iifname "isp1" jump isp1_dead
    iifname "isp1" ip saddr != $WAN1_NET counter name "isp1_ingress_dropped" drop
    iifname "isp2" ip saddr != $WAN2_NET counter name "isp2_ingress_dropped" drop
  }
  chain out {
    type filter hook output priority raw; policy accept;
    oifname "isp1" jump isp1_dead
  }
  chain post {
    type filter hook postrouting priority raw; policy accept;
    oifname { "isp1", "isp2" } udp sport $STUN_PORT counter name "stun_down"
  }
}
EOF

  # coturn, STUN only, on both service addresses.
  in_net turnserver -n --stun-only -L "$STUN1" -L "$STUN2" --no-cli --no-tls --no-dtls \
    --log-file=stdout --simple-log --pidfile="$STATE/turnserver.pid" --userdb="$STATE/turndb" \
    >"$STATE/coturn.log" 2>&1 </dev/null &
  echo $! >"$STATE/coturn.pid"
  local i listening
  for ((i = 0; i < 100; i++)); do
    listening=$(in_net ss -Huln)
    if [[ $listening == *"$STUN1:$STUN_PORT"* && $listening == *"$STUN2:$STUN_PORT"* ]]; then
      break
    fi
    kill -0 "$(cat "$STATE/coturn.pid")" 2>/dev/null || { cat "$STATE/coturn.log" >&2; false; }
    sleep 0.1
  done
  ((i < 100)) || { log "coturn did not listen on $STUN1/$STUN2:$STUN_PORT"; false; }

  trap - ERR
  echo "switched $(now) public $WAN1_ADDR" >"$STATE/last-switch"
  touch "$STATE/ready"
  log "lab $ID up: mode $m, public address $WAN1_ADDR"
}

# ---------------------------------------------------------------- failover / failback
# Each prints one line: "switched <time> public <address|none>", the time taken right at the
# route/address change (date +%s.%N), for detection-latency measurements.
isp1_kill() { in_net nft add rule inet rblab isp1_dead counter drop; }
isp1_revive() { in_net nft flush chain inet rblab isp1_dead; }
announce() { # TIME PUBLIC
  echo "switched $1 public $2" | tee "$STATE/last-switch"
}

cmd_failover() {
  set_id "${1:-}"
  need_up
  if [[ $(phase) == failed-over ]]; then
    log "lab $ID already failed over"
    cat "$STATE/last-switch"
    return 0
  fi
  local t pub
  case $(mode) in
    masquerade | pinned)
      isp1_kill
      ip -n "$NS_RTR" route replace default via "$WAN2_ISP" dev wan2
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
  echo failed-over >"$STATE/phase"
  announce "$t" "$pub"
}

cmd_failback() {
  set_id "${1:-}"
  need_up
  if [[ $(phase) != failed-over ]]; then
    log "lab $ID is not failed over"
    cat "$STATE/last-switch"
    return 0
  fi
  local t
  case $(mode) in
    masquerade | pinned)
      isp1_revive
      ip -n "$NS_RTR" route replace default via "$WAN1_ISP" dev wan1
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
  echo normal >"$STATE/phase"
  announce "$t" "$WAN1_ADDR"
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
    *) die "where must be lan, router or internet" ;;
  esac
}

cmd_stun() {
  set_id "${1:-}"
  need_up
  local server=${2:-$STUN1} out addr
  # turnutils_stunclient prints "UDP reflexive addr: A.B.C.D:PORT"; give up after 2 s.
  out=$(in_lan timeout 2 turnutils_stunclient -p "$STUN_PORT" "$server" 2>&1 || true)
  addr=$(sed -n 's/.*UDP reflexive addr: \([0-9.]*\):[0-9]*.*/\1/p' <<<"$out" | head -n1)
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
  echo "lab $ID: mode $(mode), phase $(phase), $([[ -f $STATE/ready ]] && echo ready || echo 'NOT ready')"
  local ns
  for ns in "$NS_LAN" "$NS_RTR" "$NS_NET"; do
    echo "  namespace $ns: $(ns_exists "$ns" && echo present || echo missing)"
  done
  if ns_exists "$NS_RTR"; then
    echo "  router default: $(ip -n "$NS_RTR" route show default)"
    echo "  router wan1: $(ip -n "$NS_RTR" -4 -o addr show dev wan1 | awk '{print $4}' | tr '\n' ' ')"
  fi
  if ns_exists "$NS_NET"; then
    echo "  wan1 upstream: $(in_net nft list chain inet rblab isp1_dead | grep -q drop && echo dead || echo alive)"
    echo "  stun traffic: $(cmd_counters "$ID")"
  fi
  local pid
  pid=$(cat "$STATE/coturn.pid" 2>/dev/null || true)
  echo "  coturn: $([[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "running (pid $pid)" || echo 'not running')"
}

# ---------------------------------------------------------------- down
cmd_down() {
  set_id "${1:-}"
  local pid ns p
  # Processes the lab started (coturn), by pid file.
  for pid in "$STATE"/*.pid; do
    [[ -f $pid ]] || continue
    p=$(cat "$pid" 2>/dev/null || true)
    [[ $p =~ ^[0-9]+$ ]] && kill "$p" 2>/dev/null || true
  done
  # Anything else still running inside the lab's namespaces (e.g. a rebound started there).
  for ns in "$NS_LAN" "$NS_RTR" "$NS_NET"; do
    if ns_exists "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    fi
  done
  sleep 0.1
  for ns in "$NS_LAN" "$NS_RTR" "$NS_NET"; do
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

# ---------------------------------------------------------------- main
[[ $(id -u) == 0 ]] || die "must run as root (network namespaces)"
sub=${1:-}
# ---------------------------------------------------------------- dns
# BIND in the internet namespace, authoritative for home.test, accepting RFC 2136 updates for the
# zone signed with a key made here by tsig-keygen. gw.home.test and vpn.home.test start at WAN1's address.
cmd_dns() {
  set_id "${1:-}"
  need_up
  local dir=$STATE/dns i
  if [[ -f $STATE/named.pid ]] && kill -0 "$(cat "$STATE/named.pid")" 2>/dev/null; then
    echo "$dir/rebound.key"
    return 0
  fi
  mkdir -p "$dir"
  tsig-keygen -a hmac-sha256 "$DNS_KEY_NAME" >"$dir/rebound.key"
  chmod 600 "$dir/rebound.key"
  cat >"$dir/$DNS_ZONE.zone" <<EOF
\$TTL 60
@    IN SOA ns.$DNS_ZONE. hostmaster.$DNS_ZONE. 1 60 60 3600 60
@    IN NS  ns.$DNS_ZONE.
ns   IN A   $DNS_ADDR
gw   IN A   $WAN1_ADDR
vpn  IN A   $WAN1_ADDR
www  IN A   203.0.113.80
@    IN TXT "rebound lab zone"
EOF
  cat >"$dir/named.conf" <<EOF
include "$dir/rebound.key";
options {
  directory "$dir";
  pid-file none;
  listen-on port 53 { $DNS_ADDR; };
  listen-on-v6 { none; };
  recursion no;
  allow-transfer { any; };
};
zone "$DNS_ZONE" {
  type primary;
  file "$dir/$DNS_ZONE.zone";
  update-policy { grant $DNS_KEY_NAME zonesub ANY; };
};
EOF
  ip -n "$NS_NET" addr replace "$DNS_ADDR/32" dev lo
  in_net named -g -c "$dir/named.conf" -u root >"$STATE/named.log" 2>&1 </dev/null &
  echo $! >"$STATE/named.pid"
  for ((i = 0; i < 100; i++)); do
    if in_net dig +short +time=1 +tries=1 @"$DNS_ADDR" "gw.$DNS_ZONE" A 2>/dev/null | grep -qx "$WAN1_ADDR"; then
      echo "$dir/rebound.key"
      return 0
    fi
    kill -0 "$(cat "$STATE/named.pid")" 2>/dev/null || { cat "$STATE/named.log" >&2; die "named exited"; }
    sleep 0.1
  done
  die "named did not answer on $DNS_ADDR"
}

# ---------------------------------------------------------------- wireguard
# wireguard-go keeps its UAPI sockets in /var/run/wireguard, shared by every namespace, so the
# interface names carry the lab id (and stay within 15 characters): wl<ID> on the LAN host, wn<ID> in the internet.
WG_PEER_ADDR=203.0.113.20 WG_PORT=51820 WG_LAN_PORT=51821 WG_LAN_TUN=10.99.0.2 WG_PEER_TUN=10.99.0.1 WG_KEEPALIVE=25
wg_names() { WG_LAN_IF=wl$ID WG_NET_IF=wn$ID WG_DIR=$STATE/wg; }

wg_start() { # NS IFNAME: start wireguard-go (it daemonizes) and wait for its UAPI socket
  local i
  rm -f "/var/run/wireguard/$2.sock"
  env -u WG_PROCESS_FOREGROUND ip netns exec "$1" wireguard-go "$2" >>"$WG_DIR/wireguard-go.log" 2>&1 </dev/null
  for ((i = 0; i < 50; i++)); do
    [[ -S /var/run/wireguard/$2.sock ]] && return 0
    sleep 0.1
  done
  die "wireguard-go $2 did not open its UAPI socket"
}

wg_cleanup() { # kill this lab's wireguard-go (by its UAPI socket's owner), remove sockets and /etc/netns dirs
  wg_names
  local ifname pid
  for ifname in "$WG_LAN_IF" "$WG_NET_IF"; do
    if [[ -S /var/run/wireguard/$ifname.sock ]]; then
      for pid in $(fuser "/var/run/wireguard/$ifname.sock" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    fi
    rm -f "/var/run/wireguard/$ifname.sock"
  done
  rm -rf "/etc/netns/$NS_NET" "/etc/netns/$NS_LAN"
}

cmd_wg() {
  set_id "${1:-}"
  local what=${2:-} kind=${3:-client}
  need_up
  wg_names
  case $what in
    up) ;;
    down)
      wg_cleanup
      in_rtr nft delete table ip rbwg 2>/dev/null || true
      ip -n "$NS_NET" addr del "$WG_PEER_ADDR/32" dev lo 2>/dev/null || true
      rm -rf "$WG_DIR"
      log "wireguard down"
      return 0
      ;;
    show)
      wg show "$WG_LAN_IF"; wg show "$WG_NET_IF"
      return 0
      ;;
    *) die "usage: lab.sh wg ID up [client|server] | down | show" ;;
  esac
  [[ $kind == client || $kind == server ]] || die "wg kind must be client or server"
  if [[ -S /var/run/wireguard/$WG_LAN_IF.sock ]]; then
    log "wireguard already up"
    echo "lan $WG_LAN_IF peer $WG_NET_IF"
    return 0
  fi
  mkdir -p "$WG_DIR"
  (umask 077; wg genkey >"$WG_DIR/lan.key"; wg genkey >"$WG_DIR/net.key")
  wg pubkey <"$WG_DIR/lan.key" >"$WG_DIR/lan.pub"
  wg pubkey <"$WG_DIR/net.key" >"$WG_DIR/net.pub"
  echo "$kind" >"$WG_DIR/kind"
  wg_start "$NS_LAN" "$WG_LAN_IF"
  wg_start "$NS_NET" "$WG_NET_IF"
  ip -n "$NS_LAN" addr add "$WG_LAN_TUN/24" dev "$WG_LAN_IF"
  ip -n "$NS_NET" addr add "$WG_PEER_TUN/24" dev "$WG_NET_IF"
  ip -n "$NS_LAN" link set "$WG_LAN_IF" up
  ip -n "$NS_NET" link set "$WG_NET_IF" up
  if [[ $kind == client ]]; then
    # The answering peer first (LAB-NOTES: otherwise the first handshake is lost for 5 s).
    ip -n "$NS_NET" addr replace "$WG_PEER_ADDR/32" dev lo
    wg set "$WG_NET_IF" listen-port "$WG_PORT" private-key "$WG_DIR/net.key" \
      peer "$(cat "$WG_DIR/lan.pub")" allowed-ips "$WG_LAN_TUN/32"
    wg set "$WG_LAN_IF" listen-port "$WG_LAN_PORT" private-key "$WG_DIR/lan.key" \
      peer "$(cat "$WG_DIR/net.pub")" allowed-ips "$WG_PEER_TUN/32" \
      endpoint "$WG_PEER_ADDR:$WG_PORT" persistent-keepalive "$WG_KEEPALIVE"
  else
    # Home server behind the router: a port-forward on both WANs, dialed by name from the internet.
    # A separate process: calling cmd_dns here with ">/dev/null" would let its background named inherit
    # bash's saved copy of our stdout, and whoever reads our output would wait for named to exit.
    bash "${BASH_SOURCE[0]}" dns "$ID" >/dev/null
    mkdir -p "/etc/netns/$NS_NET"
    echo "nameserver $DNS_ADDR" >"/etc/netns/$NS_NET/resolv.conf"
    in_rtr nft -f - <<EOF
table ip rbwg {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname { "wan1", "wan2" } udp dport $WG_PORT dnat to $LAN_HOST:$WG_PORT
  }
}
EOF
    wg set "$WG_LAN_IF" listen-port "$WG_PORT" private-key "$WG_DIR/lan.key" \
      peer "$(cat "$WG_DIR/net.pub")" allowed-ips "$WG_PEER_TUN/32"
    in_net wg set "$WG_NET_IF" listen-port "$WG_PORT" private-key "$WG_DIR/net.key" \
      peer "$(cat "$WG_DIR/lan.pub")" allowed-ips "$WG_LAN_TUN/32" \
      endpoint "vpn.$DNS_ZONE:$WG_PORT" persistent-keepalive "$WG_KEEPALIVE"
  fi
  local i
  for ((i = 0; i < 50; i++)); do
    in_lan ping -c1 -W1 -q "$WG_PEER_TUN" >/dev/null 2>&1 && break
  done
  ((i < 50)) || die "tunnel did not come up"
  echo "lan $WG_LAN_IF peer $WG_NET_IF"
}

shift || true
case $sub in
  up) cmd_up "$@" ;;
  failover) cmd_failover "$@" ;;
  failback) cmd_failback "$@" ;;
  exec) cmd_exec "$@" ;;
  stun) cmd_stun "$@" ;;
  status) cmd_status "$@" ;;
  counters) cmd_counters "$@" ;;
  dns) cmd_dns "$@" ;;
  wg) cmd_wg "$@" ;;
  down) cmd_down "$@" ;;
  down-all) cmd_down_all "$@" ;;
  *) usage ;;
esac
