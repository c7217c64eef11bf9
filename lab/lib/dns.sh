# shellcheck shell=bash
# ---------------------------------------------------------------- dns (sourced by lab.sh)
# BIND in the internet namespace, authoritative for home.test, accepting RFC 2136 updates for the
# zone signed with a key made here by tsig-keygen. gw.home.test and vpn.home.test start at WAN1's
# address (and, with --ipv6, at the LAN host's address from WAN1's prefix, on 2001:db8:f::53 too).
cmd_dns() {
  set_id "${1:-}"
  need_up
  local dir=$STATE/dns listen6=none aaaa=""
  if running named; then
    echo "$dir/rebound.key"
    return 0
  fi
  mkdir -p "$dir"
  tsig-keygen -a hmac-sha256 "$DNS_KEY_NAME" >"$dir/rebound.key"
  chmod 600 "$dir/rebound.key"
  if has_opt --ipv6; then
    listen6=$(v6_service "$DNS_ADDR")
    aaaa="ns   IN AAAA $listen6
gw   IN AAAA $(lan_v6_address "$V6_PREFIX1")
vpn  IN AAAA $(lan_v6_address "$V6_PREFIX1")
echo IN AAAA $(v6_service "$HTTP_ADDR")"
    ip -n "$NS_NET" addr replace "$listen6/128" dev lo nodad
  fi
  cat >"$dir/$DNS_ZONE.zone" <<ZONE
\$TTL 60
@    IN SOA ns.$DNS_ZONE. hostmaster.$DNS_ZONE. 1 60 60 3600 60
@    IN NS  ns.$DNS_ZONE.
ns   IN A   $DNS_ADDR
gw   IN A   $WAN1_ADDR
vpn  IN A   $WAN1_ADDR
www  IN A   $HTTP_ADDR
echo IN A   $HTTP_ADDR
mx   IN A   $SMTP_ADDR
@    IN MX  10 mx.$DNS_ZONE.
@    IN TXT "rebound lab zone"
$aaaa
ZONE
  cat >"$dir/named.conf" <<CONF
include "$dir/rebound.key";
options {
  directory "$dir";
  pid-file none;
  listen-on port 53 { $DNS_ADDR; };
  listen-on-v6 { $listen6; };
  recursion no;
  allow-transfer { any; };
};
zone "$DNS_ZONE" {
  type primary;
  file "$dir/$DNS_ZONE.zone";
  update-policy { grant $DNS_KEY_NAME zonesub ANY; };
};
CONF
  ip -n "$NS_NET" addr replace "$DNS_ADDR/32" dev lo
  spawn named "$NS_NET" named -g -c "$dir/named.conf" -u root
  wait_until 250 "named on $DNS_ADDR" dns_answers || { cat "$STATE/named.log" >&2; die "named did not answer on $DNS_ADDR"; }
  echo "$dir/rebound.key"
}

dns_answers() {
  running named || return 2
  in_net dig +short +time=1 +tries=1 @"$DNS_ADDR" "gw.$DNS_ZONE" A | grep -qx "$WAN1_ADDR"
}
