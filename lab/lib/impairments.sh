# shellcheck shell=bash
# ---------------------------------------------------------------- impairments (sourced by lab.sh)
# Things real paths do to probes: a carrier NAT that pools addresses, a firewall that drops STUN,
# a long backup link.

# ---- carrier NAT with arbitrary pooling behind WAN2 ("up --cgnat")
# The carrier sits where carriers sit, on ISP2's side of the internet namespace: traffic from its
# subscribers (192.0.2.0-.40; the router's WAN2 is one of them) is NATed again, and each destination
# sees another public address (RFC 4787 "arbitrary" pooling): 203.0.113.N sees 192.0.2.(N+40) for
# N <= 213 (STUN 203.0.113.10 -> 192.0.2.50, 203.0.113.11 -> 192.0.2.51), everything else 192.0.2.254.
# ISP2's ingress filter accepts only subscriber addresses; unsolicited packets to a pool address
# are dropped (counter "unsolicited" in table ip rbcgnat of the internet namespace).
CGNAT_SUBSCRIBERS=192.0.2.0-192.0.2.40 CGNAT_POOL=192.0.2.41-192.0.2.254
CGNAT_OFFSET=40 CGNAT_LAST=213 CGNAT_FALLBACK=192.0.2.254

cgnat_public_for() { # DESTINATION: the address it sees for traffic leaving WAN2
  local n=${1##*.}
  if [[ $1 == 203.0.113.* ]] && ((n >= 1 && n <= CGNAT_LAST)); then
    echo "192.0.2.$((n + CGNAT_OFFSET))"
  else
    echo "$CGNAT_FALLBACK"
  fi
}

cgnat_up() {
  local n elements=()
  for ((n = 1; n <= CGNAT_LAST; n++)); do elements+=("203.0.113.$n : 192.0.2.$((n + CGNAT_OFFSET))"); done
  in_net nft -f - <<EOF
table ip rbcgnat {
  map pool {
    type ipv4_addr : ipv4_addr
    elements = { $(IFS=,; echo "${elements[*]}") }
  }
  counter unsolicited {}
  chain to_pool {
    snat ip to ip daddr map @pool
    snat ip to $CGNAT_FALLBACK
  }
  chain input {
    type nat hook input priority 100; policy accept;
    iifname "isp2" ip saddr $CGNAT_SUBSCRIBERS jump to_pool
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname "isp2" ip saddr $CGNAT_SUBSCRIBERS jump to_pool
  }
  chain unsolicited_out {
    type filter hook output priority filter; policy accept;
    ip daddr $CGNAT_POOL counter name "unsolicited" drop
  }
  chain unsolicited_fwd {
    type filter hook forward priority filter; policy accept;
    ip daddr $CGNAT_POOL counter name "unsolicited" drop
  }
}
EOF
}

# ---- STUN blocked at the router ("block-stun ID on|off", "up --stun-blocked")
# A firewall rule on the router drops UDP to port 3478 forwarded from the LAN (guest Wi-Fi and
# corporate networks do this); everything else, HTTP and DNS included, still works. The router's own
# traffic is not affected. Counter "dropped" in table inet rbstunblock of the router.
stun_block() { # on|off
  if [[ $1 == on ]]; then
    in_rtr nft list table inet rbstunblock >/dev/null 2>&1 && return 0
    in_rtr nft -f - <<EOF
table inet rbstunblock {
  counter dropped {}
  chain forward {
    type filter hook forward priority filter - 10; policy accept;
    iifname "lan0" udp dport $STUN_PORT counter name "dropped" drop
  }
}
EOF
  else
    in_rtr nft delete table inet rbstunblock 2>/dev/null || true
  fi
}

cmd_block_stun() {
  set_id "${1:-}"
  need_up
  [[ ${2:-} == on || ${2:-} == off ]] || die "usage: lab.sh block-stun ID on|off"
  stun_block "$2"
  echo "stun $([[ $2 == on ]] && echo blocked || echo allowed)"
}

# ---- delay on WAN2 ("netem ID DELAY|off")
# This kernel has no sch_netem, so the delay is an NFQUEUE delay line (lab/tools/delayq.py) on ISP2's
# end of the WAN2 link: every packet arriving on isp2 (raw PREROUTING, before conntrack) and every
# packet leaving by isp2 (mangle POSTROUTING) is queued, and the tool accepts each one DELAY/2 after it
# arrived, in order. Nothing is held inside the router, so its kernel timestamps packets when they
# really arrive (ping's RTT from the router is right too). --queue-bypass: without the tool, packets
# pass undelayed.
NETEM_QUEUE=0

netem_rules() { # -A|-D
  local ipt
  for ipt in iptables-legacy ip6tables-legacy; do
    [[ $ipt == ip6tables-legacy ]] && ! has_opt --ipv6 && continue
    in_net "$ipt" -t raw "$1" PREROUTING -i isp2 -j NFQUEUE --queue-num "$NETEM_QUEUE" --queue-bypass
    in_net "$ipt" -t mangle "$1" POSTROUTING -o isp2 -j NFQUEUE --queue-num "$NETEM_QUEUE" --queue-bypass
  done
}

netem_off() {
  [[ -f $STATE/netem ]] || return 0
  netem_rules -D
  stop delayq
  rm -f "$STATE/netem"
}

delayq_bound() {
  running delayq || return 2
  grep -q '^bound' "$STATE/delayq.log"
}

cmd_netem() {
  set_id "${1:-}"
  need_up
  local arg=${2:-} ms
  if [[ $arg == off ]]; then
    netem_off
    echo "netem off"
    return 0
  fi
  [[ $arg =~ ^([0-9]+)ms$ ]] || die "usage: lab.sh netem ID DELAY|off (DELAY like 300ms: added to the round-trip time)"
  ms=${BASH_REMATCH[1]}
  ((ms > 0 && ms <= 10000)) || die "DELAY must be 1ms..10000ms"
  if [[ $(cat "$STATE/netem" 2>/dev/null) == "${ms}ms" ]]; then
    echo "netem ${ms}ms"
    return 0
  fi
  netem_off
  spawn delayq "$NS_NET" /usr/bin/python3 "$LAB_DIR/tools/delayq.py" --queue "$NETEM_QUEUE" --delay-ms "$((ms / 2)).$((ms % 2 * 5))"
  wait_until 250 "delayq" delayq_bound || { cat "$STATE/delayq.log" >&2; die "delayq failed"; }
  netem_rules -A
  echo "${ms}ms" >"$STATE/netem"
  echo "netem ${ms}ms"
}
