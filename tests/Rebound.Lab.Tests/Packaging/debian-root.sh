#!/usr/bin/env bash
# Prints the path of a debootstrapped Debian 12 (minbase, with systemd, systemd-sysv and dbus) that the
# systemd tests boot with systemd-nspawn, making it first if it is not cached yet (~1 min; later runs
# skip that). The tree is cached under /var/cache/rebound-test/, keyed by VERSION below: change the
# package list, bump the version. The tests never write into it (they boot an overlay of it).
#
# Usage: debian-root.sh            (as root; needs debootstrap)
# Env:   REBOUND_TEST_CACHE        the cache directory (default /var/cache/rebound-test)
#        REBOUND_DEBIAN_MIRROR     the mirror (default: the machine's own Debian mirror from /etc/apt)
set -euo pipefail
VERSION=debian12-systemd-v1
PACKAGES=systemd,systemd-sysv,dbus,libssl3
CACHE=${REBOUND_TEST_CACHE:-/var/cache/rebound-test}
ROOT=$CACHE/$VERSION

if [[ -f $ROOT/.complete ]]; then
  echo "$ROOT"
  exit 0
fi
[[ $(id -u) == 0 ]] || { echo "debian-root: run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debian-root: debootstrap is missing (scripts/install-deps)" >&2; exit 1; }

mirror=${REBOUND_DEBIAN_MIRROR:-}
if [[ -z $mirror ]]; then
  # The first "URIs:" (deb822) or "deb" line naming a plain Debian archive (not debian-security).
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
  [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/$VERSION.lock"
flock 9
if [[ ! -f $ROOT/.complete ]]; then
  # Built beside the final path and renamed when complete: an interrupted run leaves no half tree behind.
  rm -rf "$ROOT.partial"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOT.partial" "$mirror" >"$CACHE/$VERSION.log" 2>&1 || {
    tail -20 "$CACHE/$VERSION.log" >&2
    echo "debian-root: debootstrap failed (log: $CACHE/$VERSION.log)" >&2
    exit 1
  }
  touch "$ROOT.partial/.complete"
  rm -rf "$ROOT"
  mv "$ROOT.partial" "$ROOT"
fi
echo "$ROOT"
