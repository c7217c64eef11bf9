# shellcheck shell=bash
# ---------------------------------------------------------------- pdns (sourced by lab.sh)
# PowerDNS Authoritative (sqlite3 backend) in the internet namespace on 203.0.113.54 (and
# 2001:db8:f::54 with --ipv6), serving zone pdns.test:
#   gw, www        ordinary records (gw starts at WAN1's address; www is for "other names untouched")
#   whoami         LUA records answering the asking client's own address (as the server sees it, after
#                  every NAT): A and TXT for IPv4 clients, AAAA and TXT for IPv6 clients
# and its HTTP API (http://203.0.113.54:8081/api/v1, header X-API-Key, the key in a file made here).
# PowerDNS cannot answer CHAOS-class questions other than its own version.bind/id.server, so there is
# no "whoami.cloudflare CH TXT" here (it answers REFUSED).
PDNS_ZONE=pdns.test

cmd_pdns() {
  set_id "${1:-}"
  need_up
  local dir=$STATE/pdns addr6="" local_address=$PDNS_ADDR allow=0.0.0.0/0 aaaa=""
  has_opt --ipv6 && addr6=$(v6_service "$PDNS_ADDR")
  if ! running pdns; then
    mkdir -p "$dir"
    (umask 077; openssl rand -hex 24 >"$dir/api.key")
    ip -n "$NS_NET" addr replace "$PDNS_ADDR/32" dev lo
    if [[ -n $addr6 ]]; then
      ip -n "$NS_NET" -6 addr replace "$addr6/128" dev lo nodad
      local_address+=", $addr6"
      allow+=",::/0"
      aaaa="ns     IN AAAA $addr6
gw     IN AAAA $(lan_v6_address "$V6_PREFIX1")"
    fi
    sqlite3 "$dir/pdns.sqlite3" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
    cat >"$dir/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$dir/pdns.sqlite3
local-address=$local_address
local-port=53
socket-dir=$dir
enable-lua-records=yes
api=yes
api-key=$(cat "$dir/api.key")
webserver=yes
webserver-address=$PDNS_ADDR
webserver-port=$PDNS_API_PORT
webserver-allow-from=$allow
loglevel=4
EOF
    cat >"$dir/$PDNS_ZONE.zone" <<EOF
\$ORIGIN $PDNS_ZONE.
\$TTL 60
@      IN SOA ns.$PDNS_ZONE. hostmaster.$PDNS_ZONE. 1 60 60 3600 60
@      IN NS  ns.$PDNS_ZONE.
ns     IN A   $PDNS_ADDR
gw     IN A   $WAN1_ADDR
www    IN A   $HTTP_ADDR
whoami IN LUA A    "who:isIPv4() and who:toString() or {}"
whoami IN LUA AAAA "who:isIPv6() and who:toString() or {}"
whoami IN LUA TXT  "who:toString()"
$aaaa
EOF
    pdnsutil --config-dir="$dir" load-zone "$PDNS_ZONE" "$dir/$PDNS_ZONE.zone" >"$dir/pdnsutil.log" 2>&1 ||
      { cat "$dir/pdnsutil.log" >&2; die "pdnsutil load-zone failed"; }
    spawn pdns "$NS_NET" pdns_server --config-dir="$dir" --guardian=no --daemon=no --write-pid=no
    wait_until 250 "PowerDNS on $PDNS_ADDR" pdns_answers || { cat "$STATE/pdns.log" >&2; die "PowerDNS did not answer"; }
  fi
  echo "url http://$PDNS_ADDR:$PDNS_API_PORT key_file $dir/api.key server_id localhost zone $PDNS_ZONE dns $PDNS_ADDR${addr6:+ dns6 $addr6}"
}

pdns_answers() {
  running pdns || return 2
  in_net dig +short +time=1 +tries=1 @"$PDNS_ADDR" "gw.$PDNS_ZONE" A | grep -qx "$WAN1_ADDR" &&
    in_net curl -sf --max-time 1 -H "X-API-Key: $(cat "$STATE/pdns/api.key")" \
      "http://$PDNS_ADDR:$PDNS_API_PORT/api/v1/servers/localhost" >/dev/null
}
