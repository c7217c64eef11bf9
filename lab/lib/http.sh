# shellcheck shell=bash
# ---------------------------------------------------------------- http (sourced by lab.sh)
# An HTTP "what is my address" service: nginx in the internet namespace on 203.0.113.80 (and
# 2001:db8:f::80 with --ipv6), ports 80 and 443 (certificate from the lab CA for echo.home.test and
# both addresses). Each answers the caller's address as the server sees it:
#   /               the address alone, text/plain, no newline (as ipify does)
#   /json           {"ip":"<address>"}
#   /cdn-cgi/trace  Cloudflare's trace format: key=value lines, among them ip=<address>
cmd_http() {
  set_id "${1:-}"
  need_up
  local dir=$STATE/http addr6="" listen
  has_opt --ipv6 && addr6=$(v6_service "$HTTP_ADDR")
  if ! running nginx; then
    mkdir -p "$dir/tmp"
    ip -n "$NS_NET" addr replace "$HTTP_ADDR/32" dev lo
    listen="listen $HTTP_ADDR:80;
    listen $HTTP_ADDR:443 ssl;"
    if [[ -n $addr6 ]]; then
      ip -n "$NS_NET" -6 addr replace "$addr6/128" dev lo nodad
      listen+="
    listen [$addr6]:80;
    listen [$addr6]:443 ssl;"
    fi
    lab_cert "echo.$DNS_ZONE" "$HTTP_ADDR" ${addr6:+"$addr6"} >/dev/null
    cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  default_type text/plain;
  map \$ssl_protocol \$trace_tls { "" off; default \$ssl_protocol; }
  map \$ssl_server_name \$trace_sni { "" off; default plaintext; }
  server {
    $listen
    server_name echo.$DNS_ZONE;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $STATE/ca/echo.$DNS_ZONE.crt;
    ssl_certificate_key $STATE/ca/echo.$DNS_ZONE.key;
    location = / { return 200 \$remote_addr; }
    location = /json { default_type application/json; return 200 '{"ip":"\$remote_addr"}'; }
    location = /cdn-cgi/trace {
      return 200 "fl=1lab\\nh=\$host\\nip=\$remote_addr\\nts=\$msec\\nvisit_scheme=\$scheme\\nuag=\$http_user_agent\\ncolo=LAB\\nsliver=none\\nhttp=\$server_protocol\\nloc=ZZ\\ntls=\$trace_tls\\nsni=\$trace_sni\\nwarp=off\\ngateway=off\\nrbi=off\\nkex=none\\n";
    }
  }
}
EOF
    spawn nginx "$NS_NET" nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
    wait_until 250 "nginx on $HTTP_ADDR" http_answers || { cat "$STATE/nginx.log" "$dir/error.log" >&2; die "nginx did not answer"; }
  fi
  echo "url http://$HTTP_ADDR https https://$HTTP_ADDR ca $STATE/ca/ca.pem${addr6:+ url6 http://[$addr6] https6 https://[$addr6]}"
}

http_answers() {
  running nginx || return 2
  [[ $(in_net curl -s --max-time 1 --cacert "$STATE/ca/ca.pem" "https://$HTTP_ADDR/") == "$HTTP_ADDR" ]]
}
