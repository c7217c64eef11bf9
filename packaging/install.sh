#!/usr/bin/env bash
# Installs rebound as a systemd service:
#   PREFIX/bin/rebound                     the Native AOT binary (0755)
#   /etc/systemd/system/rebound.service    the unit (0644; ExecStart follows PREFIX)
#   /etc/rebound/rebound.toml              a commented sample config (0640 root) -- never overwritten
#   /var/lib/rebound                       the state directory (0700)
# then checks the installed config with `rebound check-config` and prints the next steps.
# It does not start or enable anything.
#
# Usage: sudo packaging/install.sh [--binary PATH] [--prefix DIR] [--no-check]
#        sudo packaging/install.sh --uninstall [--purge]
#   --binary PATH  the binary to install (default: artifacts/publish/rebound; build it with
#                  packaging/publish.sh, or with --arch arm64 for 64-bit ARM)
#   --prefix DIR   default /usr/local
#   --no-check     skip check-config (e.g. staging a binary for another architecture)
#   --uninstall    stop and disable the service, remove the binary and the unit; config and state stay
#   --purge        with --uninstall: also remove /etc/rebound and /var/lib/rebound
# Env:   DESTDIR    install under this root instead of / (packaging, tests); systemctl is never called then
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

BINARY=$ROOT/artifacts/publish/rebound PREFIX=/usr/local CHECK=1 UNINSTALL=0 PURGE=0
while (($#)); do
  case $1 in
    --binary) BINARY=${2:?--binary needs a path}; shift ;;
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift ;;
    --no-check) CHECK=0 ;;
    --uninstall) UNINSTALL=1 ;;
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $PREFIX == /* ]] || { echo "install: --prefix must be an absolute path, got '$PREFIX'" >&2; exit 2; }
((PURGE == 0 || UNINSTALL == 1)) || { echo "install: --purge only goes with --uninstall" >&2; exit 2; }
DESTDIR=${DESTDIR:-}
if [[ -z $DESTDIR && $(id -u) != 0 ]]; then
  echo "install: run as root (or set DESTDIR to install into a staging root)" >&2
  exit 2
fi

BIN=$DESTDIR$PREFIX/bin/rebound
UNIT=$DESTDIR/etc/systemd/system/rebound.service
CONF_DIR=$DESTDIR/etc/rebound
CONF=$CONF_DIR/rebound.toml
STATE=$DESTDIR/var/lib/rebound
# Only a real install talks to the running systemd.
systemd_running() { [[ -z $DESTDIR && -d /run/systemd/system ]]; }
say() { echo "install: $*"; }

if ((UNINSTALL)); then
  if systemd_running; then
    systemctl disable --now rebound.service 2>/dev/null || true
  fi
  rm -f "$BIN" "$UNIT"
  say "removed $BIN and $UNIT"
  if ((PURGE)); then
    rm -rf "$CONF_DIR" "$STATE"
    say "purged $CONF_DIR and $STATE"
  else
    say "kept $CONF_DIR and $STATE (use --uninstall --purge to remove them)"
  fi
  if systemd_running; then systemctl daemon-reload; fi
  exit 0
fi

[[ -f $BINARY && -x $BINARY ]] || {
  echo "install: no executable at $BINARY; build it first: packaging/publish.sh (or pass --binary PATH)" >&2
  exit 2
}

# Ownership is root's on a real install; a non-root DESTDIR staging keeps the caller's.
owner=()
[[ $(id -u) == 0 ]] && owner=(-o root -g root)

install -d -m 0755 "$DESTDIR$PREFIX/bin" "$(dirname "$UNIT")"
# Copy then rename: replacing a running binary in place would fail with "Text file busy".
install -m 0755 "${owner[@]}" "$BINARY" "$BIN.new"
mv -f "$BIN.new" "$BIN"
say "installed $BIN"

sed "s#^ExecStart=/usr/bin/rebound #ExecStart=$PREFIX/bin/rebound #" "$ROOT/packaging/rebound.service" >"$UNIT.new"
chmod 0644 "$UNIT.new"
mv -f "$UNIT.new" "$UNIT"
say "installed $UNIT"

install -d -m 0755 "${owner[@]}" "$CONF_DIR"
if [[ -e $CONF ]]; then
  say "kept the existing $CONF"
else
  install -m 0640 "${owner[@]}" "$ROOT/packaging/rebound.toml" "$CONF"
  say "installed the sample config $CONF"
fi

install -d -m 0700 "${owner[@]}" "$STATE"

if ((CHECK)); then
  if ! STATE_DIRECTORY=/var/lib/rebound "$BIN" check-config "$CONF"; then
    echo "install: $CONF has problems (above); fix them before starting the service" >&2
    exit 1
  fi
fi

cat <<NEXT

Next steps:
  1. edit /etc/rebound/rebound.toml (STUN servers, [[ddns]] records, ...) and check it:
       rebound check-config /etc/rebound/rebound.toml
  2. start the service, now and at boot:
       systemctl daemon-reload && systemctl enable --now rebound
  3. watch it:
       systemctl status rebound; journalctl -u rebound -f
NEXT
