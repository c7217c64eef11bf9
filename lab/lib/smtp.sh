# shellcheck shell=bash
# ---------------------------------------------------------------- smtp (sourced by lab.sh)
# OpenSMTPD in the internet namespace on 203.0.113.25 (mx.home.test; 2001:db8:f::25 with --ipv6),
# port 25, accepting mail for any user @home.test into a maildir per user ($STATE/smtp/mail/USER/new/).
# Plain SMTP only: Debian 12's OpenSMTPD 6.8.0p2 fails every TLS handshake with OpenSSL 3 (its
# privilege-separated key engine: "missing private key", RSA and EC keys alike; upstream issue
# OpenSMTPD#1171), and it offers AUTH only after TLS. So no STARTTLS and no AUTH here.
# smtpd keeps its queue in /var/spool/smtpd and its control socket in /run/smtpd.sock, one per
# machine, and refuses to start when another smtpd answers there. So each lab's smtpd runs in a mount
# namespace of its own with a private /var/spool and /run (tmpfs); its config and the maildirs are
# bind-mounted at /var/spool/lab from $STATE/smtp. Delivery runs as "nobody" (smtpd refuses to
# deliver as root).
cmd_smtp() {
  set_id "${1:-}"
  need_up
  local dir=$STATE/smtp addr6="" listen="" a private
  has_opt --ipv6 && addr6=$(v6_service "$SMTP_ADDR")
  if ! running smtpd; then
    mkdir -p "$dir/mail"
    chown nobody:nogroup "$dir/mail"
    ip -n "$NS_NET" addr replace "$SMTP_ADDR/32" dev lo
    [[ -n $addr6 ]] && ip -n "$NS_NET" -6 addr replace "$addr6/128" dev lo nodad
    for a in "$SMTP_ADDR" ${addr6:+"$addr6"}; do
      listen+="listen on $a port 25 hostname mx.$DNS_ZONE
"
    done
    cat >"$dir/smtpd.conf" <<EOF
$listen
action "lab" maildir "/var/spool/lab/mail/%{rcpt.user}" virtual { "@" = nobody }
match from any for domain "$DNS_ZONE" action "lab"
EOF
    private="mount -t tmpfs -o mode=0755 tmpfs /var/spool && mkdir /var/spool/lab &&
      mount --bind '$dir' /var/spool/lab && mount -t tmpfs -o mode=0755 tmpfs /run"
    unshare --mount sh -c "$private && smtpd -n -f /var/spool/lab/smtpd.conf" >/dev/null 2>"$dir/check.log" ||
      { cat "$dir/check.log" >&2; die "smtpd.conf is invalid"; }
    spawn smtpd "$NS_NET" unshare --mount sh -c "$private && exec smtpd -d -f /var/spool/lab/smtpd.conf"
    wait_until 250 "smtpd on $SMTP_ADDR" smtp_listening || { cat "$STATE/smtpd.log" >&2; die "smtpd did not start"; }
  fi
  echo "host $SMTP_ADDR port 25 maildir $dir/mail domain $DNS_ZONE${addr6:+ host6 $addr6}"
}

smtp_listening() {
  running smtpd || return 2
  [[ $(in_net ss -Htln) == *"$SMTP_ADDR:25 "* ]]
}

cmd_mail() { # the mail files delivered to USER, oldest first
  set_id "${1:-}"
  need_up
  local user=${2:-admin} dir
  dir=$STATE/smtp/mail/$user/new
  [[ -d $dir ]] || return 0
  find "$dir" -type f -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-
}
