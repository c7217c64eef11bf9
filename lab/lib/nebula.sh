# shellcheck shell=bash
# ---------------------------------------------------------------- nebula (sourced by lab.sh)
# A Nebula 1.6 overlay (10.42.0.0/24) across the lab, with certificates made per lab by nebula-cert:
#   lighthouse  10.42.0.1   namespace rb<ID>nlh, 203.0.113.30:4242
#   peer        10.42.0.2   namespace rb<ID>npr, 203.0.113.31:4242
#   LAN node    10.42.0.10  the LAN host itself, listen.port 4242 (a fixed port, as people run it)
# Each node has a namespace of its own: two nebula tun devices with the same overlay /24 in one
# namespace fight over the route. The two small namespaces hang off the internet namespace by a veth
# each (internet side nlh/npr, 203.0.113.1 as their gateway), which then forwards between its links.
NEBULA_NET=10.42.0 NEBULA_PORT=4242 NEBULA_GW=203.0.113.1
NEBULA_LIGHTHOUSE_ADDR=203.0.113.30 NEBULA_PEER_ADDR=203.0.113.31
NEBULA_LIGHTHOUSE=10.42.0.1 NEBULA_PEER=10.42.0.2 NEBULA_LAN=10.42.0.10

nebula_config() { # ROLE (lighthouse|peer|lan) OVERLAY-ADDRESS
  local dir=$STATE/nebula role=$1 lighthouse="am_lighthouse: false
  hosts: [\"$NEBULA_LIGHTHOUSE\"]" allow=""
  [[ $role == lighthouse ]] && lighthouse="am_lighthouse: true"
  [[ $role == lan ]] && allow="
  # advertise only the LAN address to the lighthouse (not the tunnels' or other lab addresses)
  local_allow_list:
    \"$LAN_NET\": true"
  nebula-cert sign -ca-crt "$dir/ca.crt" -ca-key "$dir/ca.key" -name "$role" -ip "$2/24" \
    -out-crt "$dir/$role.crt" -out-key "$dir/$role.key"
  cat >"$dir/$role.yml" <<EOF
pki:
  ca: $dir/ca.crt
  cert: $dir/$role.crt
  key: $dir/$role.key
static_host_map:
  "$NEBULA_LIGHTHOUSE": ["$NEBULA_LIGHTHOUSE_ADDR:$NEBULA_PORT"]
lighthouse:
  $lighthouse
  interval: 60$allow
listen:
  host: 0.0.0.0
  port: $NEBULA_PORT
punchy:
  punch: true
tun:
  dev: nebula1
  mtu: 1300
logging:
  level: info
firewall:
  outbound:
    - port: any
      proto: any
      host: any
  inbound:
    - port: any
      proto: any
      host: any
EOF
}

nebula_namespace() { # NS LINK ADDRESS: a small namespace with one public address, attached to the internet
  ip netns add "$1"
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  ip -n "$1" link set lo up
  ip -n "$NS_NET" link add "$2" type veth peer name eth0 netns "$1"
  ip -n "$1" addr add "$3/32" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" route add "$NEBULA_GW" dev eth0 scope link
  ip -n "$1" route add default via "$NEBULA_GW" dev eth0
  ip -n "$NS_NET" addr add "$NEBULA_GW/32" dev "$2"
  ip -n "$NS_NET" link set "$2" up
  ip -n "$NS_NET" route add "$3/32" dev "$2" scope link
}

nebula_tun_up() { # NS
  [[ -n $(ip -n "$1" -4 -o addr show dev nebula1 2>/dev/null) ]]
}

nebula_start() { # ROLE NS
  spawn "nebula-$1" "$2" nebula -config "$STATE/nebula/$1.yml"
  wait_until 250 "nebula $1's tun device" nebula_tun_up "$2" || { cat "$STATE/nebula-$1.log" >&2; die "nebula $1 did not start"; }
}

nebula_ping() { # [ADDRESS]: one ping from the LAN host through the tunnel
  in_lan ping -c1 -W1 -q "${1:-$NEBULA_PEER}" >/dev/null 2>&1
}

nebula_down() {
  local role ns p
  for role in lan peer lighthouse; do stop "nebula-$role"; done
  for ns in "$NS_NLH" "$NS_NPR"; do
    if ns_exists "$ns"; then
      for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
  if ns_exists "$NS_NET"; then
    ip -n "$NS_NET" link del nlh 2>/dev/null || true
    ip -n "$NS_NET" link del npr 2>/dev/null || true
    in_net sysctl -qw net.ipv4.ip_forward=0
  fi
  rm -rf "$STATE/nebula"
}

cmd_nebula() {
  set_id "${1:-}"
  need_up
  local what=${2:-} i
  case $what in
    up) ;;
    ping)
      if nebula_ping "${3:-}"; then echo ok; else echo none; return 1; fi
      return 0
      ;;
    restart) # the LAN host's node only, as "systemctl restart nebula" would
      [[ -d $STATE/nebula ]] || die "nebula is not up"
      stop nebula-lan
      nebula_start lan "$NS_LAN"
      echo "restarted lan"
      return 0
      ;;
    down)
      nebula_down
      log "nebula down"
      return 0
      ;;
    show)
      local role
      for role in lighthouse peer lan; do
        echo "$role: $(running "nebula-$role" && echo "running (pid $(cat "$STATE/nebula-$role.pid"))" || echo 'not running')"
        tail -n 3 "$STATE/nebula-$role.log" 2>/dev/null | sed 's/^/  /'
      done
      echo "router conntrack, udp port $NEBULA_PORT:"
      in_rtr conntrack -L -p udp --orig-port-src "$NEBULA_PORT" 2>/dev/null | sed 's/^/  /' || true
      return 0
      ;;
    *) die "usage: lab.sh nebula ID up|ping [ADDR]|restart|down|show" ;;
  esac
  if running nebula-lan; then
    log "nebula already up"
  else
    nebula_down
    mkdir -p "$STATE/nebula"
    nebula-cert ca -name "rebound-lab-$ID" -out-crt "$STATE/nebula/ca.crt" -out-key "$STATE/nebula/ca.key"
    nebula_config lighthouse "$NEBULA_LIGHTHOUSE"
    nebula_config peer "$NEBULA_PEER"
    nebula_config lan "$NEBULA_LAN"
    nebula_namespace "$NS_NLH" nlh "$NEBULA_LIGHTHOUSE_ADDR"
    nebula_namespace "$NS_NPR" npr "$NEBULA_PEER_ADDR"
    in_net sysctl -qw net.ipv4.ip_forward=1
    nebula_start lighthouse "$NS_NLH"
    nebula_start peer "$NS_NPR"
    nebula_start lan "$NS_LAN"
    for ((i = 0; i < 20; i++)); do
      nebula_ping && break
    done
    ((i < 20)) || die "no ping through the nebula tunnel from the LAN host to the peer"
  fi
  echo "lan-config $STATE/nebula/lan.yml lighthouse $NEBULA_LIGHTHOUSE peer $NEBULA_PEER lan $NEBULA_LAN"
}
