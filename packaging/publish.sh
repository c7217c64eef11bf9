#!/usr/bin/env bash
# Builds the Native AOT binary that packaging/install.sh installs.
#
# Usage: packaging/publish.sh [--arch x64|arm64]
#   x64 (default)  -> artifacts/publish/rebound              (needs clang, zlib1g-dev)
#   arm64          -> artifacts/publish-linux-arm64/rebound  cross-compiled on an x86-64 Debian 12 host:
#                     needs clang, gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu, zlib1g-dev:arm64 and
#                     libsqlite3-dev:arm64 (the journal's SQLite is linked in)
#                     (installed here when run as root, after `dpkg --add-architecture arm64`).
#                     On an arm64 host, plain `packaging/publish.sh` builds a native arm64 binary.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ARCH=x64
while (($#)); do
  case $1 in
    --arch) ARCH=${2:?--arch needs x64 or arm64}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "publish: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
cd "$ROOT"

case $ARCH in
  x64)
    [[ $(id -u) == 0 ]] && scripts/install-deps
    dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo
    echo "publish: artifacts/publish/rebound" ;;
  arm64)
    host=$(dpkg --print-architecture)
    if [[ $host != arm64 ]]; then
      need=(clang gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu zlib1g-dev:arm64 libsqlite3-dev:arm64)
      missing=()
      for p in "${need[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
      done
      if ((${#missing[@]})); then
        [[ $(id -u) == 0 ]] || { echo "publish: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
        dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
      fi
    fi
    dotnet publish src/Rebound.Cli -c Release -r linux-arm64 -o artifacts/publish-linux-arm64 -nologo
    echo "publish: artifacts/publish-linux-arm64/rebound" ;;
  *) echo "publish: --arch must be x64 or arm64, got '$ARCH'" >&2; exit 2 ;;
esac
