# shellcheck shell=bash
# ---------------------------------------------------------------- ipv6 (sourced by lab.sh; "up --ipv6")
# Dual stack without NAT66, as ISPs deliver it: each WAN has a link /64 and delegates a /48 to the
# router; the router announces one /64 of the current uplink's prefix on the LAN (radvd, SLAAC) and
# routes by source address (each prefix leaves by the WAN that delegated it, as OpenWrt's
# source-specific routes do). On failover the LAN gets the new prefix and the old one is deprecated
# (preferred lifetime 0) and expires within its valid lifetime; flows from the old prefix stay on the
# old WAN, since there is no NAT to move them.
#
#   router wan1 2001:db8:0:1::2/64 -- isp1 2001:db8:0:1::1    delegated 2001:db8:1::/48 (renumber: 2001:db8:3::/48)
#   router wan2 2001:db8:0:2::2/64 -- isp2 2001:db8:0:2::1    delegated 2001:db8:2::/48
#   router lan0 2001:db8:1::1/64, 2001:db8:2::1/64 (and 2001:db8:3::1/64 while renumbered)
#   LAN host    eth0 MAC 02:00:00:00:00:02, so its SLAAC (EUI-64) address is <prefix>::ff:fe00:2
#   internet lo 2001:db8:f::N for each service 203.0.113.N (STUN 2001:db8:f::10 and ::11, ...)
V6_WAN1_LINK=2001:db8:0:1 V6_WAN2_LINK=2001:db8:0:2
V6_PREFIX1=2001:db8:1 V6_PREFIX2=2001:db8:2 V6_PREFIX1_RENUMBERED=2001:db8:3
V6_SERVICES=2001:db8:f
LAN_HOST_MAC=02:00:00:00:00:02 LAN_HOST_IID=ff:fe00:2
# Router advertisements: short lifetimes, so that a deprecated prefix is gone within a minute.
RA_MIN_INTERVAL=3 RA_MAX_INTERVAL=10 RA_VALID=60 RA_PREFERRED=30
V6_TABLE_WAN1=101 V6_TABLE_WAN2=102

lan_v6_address() { echo "$1::$LAN_HOST_IID"; }  # PREFIX (e.g. 2001:db8:1) -> the LAN host's address in it
v6_service() { echo "$V6_SERVICES::${1##*.}"; } # 203.0.113.N -> 2001:db8:f::N

ipv6_namespace_defaults() { # NS: before its links exist, so that they inherit the defaults
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
  case $1 in
    "$NS_LAN")
      # A plain SLAAC host: EUI-64 addresses (predictable, from the fixed MAC), no temporary addresses.
      # Duplicate address detection stays on, as on any host (about 1 s per new address).
      ip netns exec "$1" sysctl -qw net.ipv6.conf.default.addr_gen_mode=0 net.ipv6.conf.default.use_tempaddr=0
      ;;
    *)
      # Router and internet: static addresses, usable at once; no router advertisements accepted.
      ip netns exec "$1" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
        net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0
      ;;
  esac
  [[ $1 == "$NS_RTR" ]] && ip netns exec "$1" sysctl -qw net.ipv6.conf.all.forwarding=1
  return 0
}

# Sets for the internet's ingress filtering: what each ISP accepts as source on its link.
ipv6_ingress_rules() {
  cat <<EOF
set isp1_v6 { type ipv6_addr; flags interval; elements = { $V6_WAN1_LINK::/64, $V6_PREFIX1::/48, fe80::/10, ::/128 } }
  set isp2_v6 { type ipv6_addr; flags interval; elements = { $V6_WAN2_LINK::/64, $V6_PREFIX2::/48, fe80::/10, ::/128 } }
EOF
}

ipv6_up() { # MODE
  local r=(ip -n "$NS_RTR" -6) n=(ip -n "$NS_NET" -6)
  "${r[@]}" addr add "$V6_WAN1_LINK::2/64" dev wan1 nodad
  "${r[@]}" addr add "$V6_WAN2_LINK::2/64" dev wan2 nodad
  "${r[@]}" addr add "$V6_PREFIX1::1/64" dev lan0 nodad
  "${r[@]}" addr add "$V6_PREFIX2::1/64" dev lan0 nodad
  # Main table (the router's own traffic) per mode, like IPv4.
  case $1 in
    mwan3 | metric)
      "${r[@]}" route add default via "$V6_WAN1_LINK::1" dev wan1 metric "$METRIC_WAN1"
      "${r[@]}" route add default via "$V6_WAN2_LINK::1" dev wan2 metric "$METRIC_WAN2"
      ;;
    *) "${r[@]}" route add default via "$V6_WAN1_LINK::1" dev wan1 ;;
  esac
  # Source-specific routing: the main table without its defaults first, then each WAN's addresses by
  # their WAN. (mwan3's marks are IPv4-only here: with a prefix per WAN the source decides.)
  "${r[@]}" rule add pref 100 lookup main suppress_prefixlength 0
  "${r[@]}" rule add pref 110 from "$V6_PREFIX1::/48" lookup "$V6_TABLE_WAN1"
  "${r[@]}" rule add pref 111 from "$V6_PREFIX1_RENUMBERED::/48" lookup "$V6_TABLE_WAN1"
  "${r[@]}" rule add pref 112 from "$V6_WAN1_LINK::/64" lookup "$V6_TABLE_WAN1"
  "${r[@]}" rule add pref 120 from "$V6_PREFIX2::/48" lookup "$V6_TABLE_WAN2"
  "${r[@]}" rule add pref 121 from "$V6_WAN2_LINK::/64" lookup "$V6_TABLE_WAN2"
  "${r[@]}" route add default via "$V6_WAN1_LINK::1" dev wan1 table "$V6_TABLE_WAN1"
  "${r[@]}" route add default via "$V6_WAN2_LINK::1" dev wan2 table "$V6_TABLE_WAN2"

  "${n[@]}" addr add "$V6_WAN1_LINK::1/64" dev isp1 nodad
  "${n[@]}" addr add "$V6_WAN2_LINK::1/64" dev isp2 nodad
  "${n[@]}" addr add "$(v6_service "$STUN1")/128" dev lo nodad
  "${n[@]}" addr add "$(v6_service "$STUN2")/128" dev lo nodad
  "${n[@]}" route add "$V6_PREFIX1::/48" via "$V6_WAN1_LINK::2" dev isp1
  "${n[@]}" route add "$V6_PREFIX2::/48" via "$V6_WAN2_LINK::2" dev isp2

  radvd_announce "$V6_PREFIX1"
  spawn radvd "$NS_RTR" radvd --nodaemon --logmethod stderr --config "$STATE/radvd.conf" --pidfile "$STATE/radvd-own.pid"
}

# Writes radvd.conf: CURRENT announced for SLAAC, DEPRECATED (if any) with zero lifetimes: the host
# deprecates its address at once and keeps it only for what is left of its valid lifetime (a host
# never shortens that below 2 h on an unauthenticated RA, RFC 4862 5.5.3e, unless it is less already).
# Reloads a running radvd (SIGHUP: it re-reads the file and advertises at once).
radvd_announce() { # CURRENT [DEPRECATED]
  local deprecated=""
  [[ -n ${2:-} ]] && deprecated="
  prefix $2::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 0; AdvPreferredLifetime 0; };"
  cat >"$STATE/radvd.conf" <<EOF
interface lan0 {
  AdvSendAdvert on;
  MinRtrAdvInterval $RA_MIN_INTERVAL;
  MaxRtrAdvInterval $RA_MAX_INTERVAL;
  AdvDefaultLifetime $((3 * RA_MAX_INTERVAL));
  prefix $1::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime $RA_VALID; AdvPreferredLifetime $RA_PREFERRED; };$deprecated
};
EOF
  echo "$1" >"$STATE/v6-prefix"
  if running radvd; then kill -HUP "$(cat "$STATE/radvd.pid")"; fi
}

lan_has_v6_address() { # ADDRESS: assigned, past duplicate address detection, with a default route
  local a
  a=$(ip -n "$NS_LAN" -6 -o addr show dev eth0 scope global)
  [[ $a == *" $1/64 "* && $a != *"$1/64 "*tentative* ]] && [[ -n $(ip -n "$NS_LAN" -6 route show default) ]]
}

ipv6_wait_lan_address() { # ADDRESS
  wait_until 500 "the LAN host's IPv6 address $1" lan_has_v6_address "$1" ||
    { cat "$STATE/radvd.log" >&2; false; }
}

# Failover for IPv6; prints the LAN host's expected global address afterwards (or none).
ipv6_failover() { # MODE
  local r=(ip -n "$NS_RTR" -6)
  case $1 in
    masquerade | pinned)
      "${r[@]}" route replace default via "$V6_WAN2_LINK::1" dev wan2
      radvd_announce "$V6_PREFIX2" "$V6_PREFIX1"
      lan_v6_address "$V6_PREFIX2"
      ;;
    mwan3 | metric)
      metric_wan1 "$METRIC_WAN1" "$METRIC_WAN1_DEAD" -6
      radvd_announce "$V6_PREFIX2" "$V6_PREFIX1"
      lan_v6_address "$V6_PREFIX2"
      ;;
    renumber) # the redial brings a new delegated prefix
      ipv6_isp1_delegates "$V6_PREFIX1" "$V6_PREFIX1_RENUMBERED"
      "${r[@]}" addr add "$V6_PREFIX1_RENUMBERED::1/64" dev lan0 nodad
      radvd_announce "$V6_PREFIX1_RENUMBERED" "$V6_PREFIX1"
      lan_v6_address "$V6_PREFIX1_RENUMBERED"
      ;;
    blackhole) echo none ;;
  esac
}

ipv6_failback() { # MODE
  local r=(ip -n "$NS_RTR" -6)
  case $1 in
    masquerade | pinned)
      "${r[@]}" route replace default via "$V6_WAN1_LINK::1" dev wan1
      radvd_announce "$V6_PREFIX1" "$V6_PREFIX2"
      ;;
    mwan3 | metric)
      metric_wan1 "$METRIC_WAN1_DEAD" "$METRIC_WAN1" -6
      radvd_announce "$V6_PREFIX1" "$V6_PREFIX2"
      ;;
    renumber)
      ipv6_isp1_delegates "$V6_PREFIX1_RENUMBERED" "$V6_PREFIX1"
      "${r[@]}" addr del "$V6_PREFIX1_RENUMBERED::1/64" dev lan0
      radvd_announce "$V6_PREFIX1" "$V6_PREFIX1_RENUMBERED"
      ;;
    blackhole) ;;
  esac
}

# ISP1 delegates a new /48: it routes only the new one, and its ingress filter accepts only the new one.
ipv6_isp1_delegates() { # OLD NEW
  ip -n "$NS_NET" -6 route del "$1::/48" via "$V6_WAN1_LINK::2" dev isp1
  ip -n "$NS_NET" -6 route add "$2::/48" via "$V6_WAN1_LINK::2" dev isp1
  in_net nft -f - <<EOF
delete element inet rblab isp1_v6 { $1::/48 }
add element inet rblab isp1_v6 { $2::/48 }
EOF
}
