# shellcheck shell=bash
# ---------------------------------------------------------------- lab CA (sourced by lab.sh)
# A certificate authority per lab, made at "up" (EC P-256, valid 7 days), for every HTTPS/TLS server
# in the lab. Give its file to a client as SSL_CERT_FILE (OpenSSL, and so .NET on Linux, then trust
# exactly this CA) or as curl --cacert.
lab_ca_create() {
  local dir=$STATE/ca
  mkdir -p "$dir"
  (
    umask 077
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 7 -subj "/CN=Rebound lab $ID CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  )
  chmod 644 "$dir/ca.pem"
}

# Issues a server certificate for NAMES (DNS names or IP addresses, the first is the file name and CN).
lab_cert() { # NAME...
  local dir=$STATE/ca base=${1//[^A-Za-z0-9.-]/_} n san=()
  for n in "$@"; do
    if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then san+=("IP:$n"); else san+=("DNS:$n"); fi
  done
  (
    umask 077
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout "$dir/$base.key" -out "$dir/$base.csr" -subj "/CN=$1" 2>/dev/null
  )
  openssl x509 -req -in "$dir/$base.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAserial "$dir/ca.srl" \
    -CAcreateserial -days 7 -out "$dir/$base.crt" 2>/dev/null -extfile <(
    echo "subjectAltName=$(IFS=,; echo "${san[*]}")"
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature"
    echo "extendedKeyUsage=serverAuth"
  )
  rm -f "$dir/$base.csr"
  echo "cert $dir/$base.crt key $dir/$base.key"
}

cmd_ca() {
  set_id "${1:-}"
  need_up
  echo "$STATE/ca/ca.pem"
}

cmd_cert() {
  set_id "${1:-}"
  need_up
  shift
  (($# > 0)) || die "usage: lab.sh cert ID NAME|IP..."
  lab_cert "$@"
}
