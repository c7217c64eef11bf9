# shellcheck shell=bash
# ---------------------------------------------------------------- upnp (sourced by lab.sh)
# miniupnpd (Debian's miniupnpd-nftables 2.3.1) on the router: NAT-PMP/PCP on 10.77.0.1:5351 and UPnP
# IGD on http://10.77.0.1:5000/rootDesc.xml, for the LAN (secure mode: port mappings only for the
# asking host; rules in the router's table inet rbupnp). IPv4 only (-4).
#
# miniupnpd 2.3.1 treats every documentation range (192.0.2/24, 198.51.100/24, 203.0.113/24) like a
# private address: with such an address on its WAN interface it answers NAT-PMP with "network failure"
# and UPnP with an empty address, and refuses ext_ip= too. So it runs as routers behind another NAT
# do, with ext_perform_stun=yes (STUN to 203.0.113.10 from the router, through its WAN interface): it
# reports that STUN answer, which is the WAN address here, and with --cgnat the address the carrier
# shows 203.0.113.10 (192.0.2.50), not the router's own WAN2 address.
# Like OpenWrt's miniupnpd (reloaded by its interface trigger), it follows the uplink: failover and
# failback restart it on the WAN that carries new connections. A restarted 2.3.1 sends no NAT-PMP
# announcement; an address change of its WAN interface while it runs (renumber mode) does.
UPNP_HTTP_PORT=5000 NATPMP_PORT=5351

upnp_start() { # EXT_IFNAME
  local dir=$STATE/upnp
  mkdir -p "$dir"
  cat >"$dir/miniupnpd.conf" <<EOF
ext_ifname=$1
listening_ip=lan0
http_port=$UPNP_HTTP_PORT
enable_natpmp=yes
enable_upnp=yes
secure_mode=yes
system_uptime=no
uuid=$(cat /proc/sys/kernel/random/uuid)
lease_file=$dir/leases
upnp_table_name=rbupnp
upnp_nat_table_name=rbupnp
ext_perform_stun=yes
ext_stun_host=$STUN1
ext_stun_port=$STUN_PORT
allow 1024-65535 $LAN_NET 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
  echo "$1" >"$dir/ext"
  spawn miniupnpd "$NS_RTR" miniupnpd -4 -d -f "$dir/miniupnpd.conf" -P "$dir/miniupnpd-own.pid"
  wait_until 500 "miniupnpd on $LAN_RTR" upnp_listening || { cat "$STATE/miniupnpd.log" >&2; die "miniupnpd did not start"; }
}

upnp_listening() {
  running miniupnpd || return 2
  local l
  l=$(in_rtr ss -Hluntp)
  [[ $l == *"$LAN_RTR:$NATPMP_PORT "* && $l == *":$UPNP_HTTP_PORT "* ]]
}

# The chains miniupnpd fills (its nft_init.sh would make the same in a table "filter").
upnp_tables() {
  in_rtr nft list table inet rbupnp >/dev/null 2>&1 && return 0
  in_rtr nft -f - <<EOF
table inet rbupnp {
  chain forward { type filter hook forward priority filter; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump prerouting_miniupnpd; }
  chain prerouting_miniupnpd { }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; jump postrouting_miniupnpd; }
  chain postrouting_miniupnpd { }
}
EOF
  # NAT-PMP announcements go to 224.0.0.1 from a socket on the LAN address: route them to the LAN.
  ip -n "$NS_RTR" route replace 224.0.0.0/4 dev lan0
}

# Restart miniupnpd on the new uplink (called by failover/failback).
upnp_follow_uplink() {
  running miniupnpd || return 0
  local ext
  ext=$(current_uplink)
  [[ $(cat "$STATE/upnp/ext") == "$ext" ]] && return 0
  # SIGKILL: on SIGTERM it spends 1.5 s on SSDP byebyes. Its port mappings come back from the lease
  # file, so clear the rules it made first.
  stop miniupnpd 0
  rm -f "$STATE/upnp/miniupnpd-own.pid"
  in_rtr nft -f - <<EOF
flush chain inet rbupnp miniupnpd
flush chain inet rbupnp prerouting_miniupnpd
flush chain inet rbupnp postrouting_miniupnpd
EOF
  upnp_start "$ext"
}

# What a LAN client hears from the gateway: NAT-PMP's external address and UPnP's GetExternalIPAddress.
upnp_external() {
  local natpmp upnp
  natpmp=$(in_lan timeout 5 natpmpc -g "$LAN_RTR" 2>/dev/null | sed -n 's/^Public IP address : \([0-9.]*\).*/\1/p' || true)
  upnp=$(in_lan timeout 5 upnpc -u "http://$LAN_RTR:$UPNP_HTTP_PORT/rootDesc.xml" -s 2>/dev/null |
    sed -n 's/^ExternalIPAddress = \([0-9.]*\).*/\1/p' || true)
  echo "natpmp ${natpmp:-none} upnp ${upnp:-none}"
}

cmd_upnp() {
  set_id "${1:-}"
  need_up
  if [[ ${2:-} == external ]]; then
    upnp_external
    return 0
  fi
  [[ -z ${2:-} ]] || die "usage: lab.sh upnp ID [external]"
  if ! running miniupnpd; then
    upnp_tables
    upnp_start "$(current_uplink)"
  fi
  echo "gateway $LAN_RTR upnp http://$LAN_RTR:$UPNP_HTTP_PORT/rootDesc.xml ext $(cat "$STATE/upnp/ext")"
}
