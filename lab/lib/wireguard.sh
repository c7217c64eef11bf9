# shellcheck shell=bash
# ---------------------------------------------------------------- wireguard (sourced by lab.sh)
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
    bash "$LAB_DIR/lab.sh" dns "$ID" >/dev/null
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

