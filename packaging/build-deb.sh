#!/usr/bin/env bash
# Builds the Debian package artifacts/deb/rebound_VERSION_ARCH.deb:
#   /usr/bin/rebound                             the Native AOT binary
#   /lib/systemd/system/rebound.service          the unit (not enabled or started by installing)
#   /etc/rebound/rebound.toml                    the commented sample configuration (conffile, 0640 root:root)
#   /usr/share/man/man8/rebound.8.gz             every command (generated from the binary's --help texts)
#   /usr/share/man/man5/rebound.toml.5.gz        every key (generated from the sample configuration)
#   bash, zsh and fish completions               generated from the binary's command tree
#   /usr/share/rebound/prometheus/               alerting rules and a Grafana dashboard for fleets
#   /usr/share/doc/rebound/                      README, copyright, changelog
# Reproducible: every mtime is SOURCE_DATE_EPOCH (default: the last commit's time), owners are root.
#
# Usage: packaging/build-deb.sh [--arch amd64|arm64] [--binary PATH] [--docs-binary PATH] [--out DIR]
#   --arch ARCH         default: this machine's architecture. arm64 on an x86-64 host cross-compiles
#                       (packaging/publish.sh --arch arm64 installs the cross toolchain when run as root)
#   --binary PATH       package this binary instead of building it (it must be for ARCH)
#   --docs-binary PATH  a rebound that runs here, to generate the manual pages and completions from
#                       (default: the packaged binary when ARCH is this machine's, else the x64 build)
#   --out DIR           default: artifacts/deb
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST_ARCH=$(dpkg --print-architecture)
ARCH=$HOST_ARCH BINARY= DOCS_BINARY= OUT=$ROOT/artifacts/deb
while (($#)); do
  case $1 in
    --arch) ARCH=${2:?--arch needs amd64 or arm64}; shift ;;
    --binary) BINARY=$(realpath -m "${2:?--binary needs a path}"); shift ;;
    --docs-binary) DOCS_BINARY=$(realpath -m "${2:?--docs-binary needs a path}"); shift ;;
    --out) OUT=$(realpath -m "${2:?--out needs a directory}"); shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
cd "$ROOT"

case $ARCH in
  amd64) publish_arch=x64 built=artifacts/publish/rebound multiarch=x86_64-linux-gnu ;;
  arm64) publish_arch=arm64 built=artifacts/publish-linux-arm64/rebound multiarch=aarch64-linux-gnu ;;
  *) echo "build-deb: --arch must be amd64 or arm64, got '$ARCH'" >&2; exit 2 ;;
esac
if [[ $ARCH == amd64 && $HOST_ARCH != amd64 ]]; then
  echo "build-deb: an amd64 package is built on an amd64 host" >&2
  exit 2
fi

# Progress on stderr; stdout carries only the last line, "build-deb: PATH".
if [[ -z $BINARY ]]; then
  packaging/publish.sh --arch "$publish_arch" >&2
  BINARY=$built
fi
[[ -x $BINARY ]] || { echo "build-deb: no executable at $BINARY" >&2; exit 2; }
if [[ -z $DOCS_BINARY ]]; then
  if [[ $ARCH == "$HOST_ARCH" ]]; then
    DOCS_BINARY=$BINARY
  else
    DOCS_BINARY=$ROOT/artifacts/publish/rebound
    if [[ ! -x $DOCS_BINARY ]] || ! grep -qaF -- "$("$DOCS_BINARY" --version)" "$BINARY"; then
      packaging/publish.sh --arch x64 >&2
    fi
  fi
fi
# Both builds carry their commit in their version ("1.0.0+SHA"): docs made from another commit would drift.
if ! grep -qaF -- "$("$DOCS_BINARY" --version)" "$BINARY"; then
  echo "build-deb: $DOCS_BINARY is not built from the same commit as $BINARY; rebuild it: packaging/publish.sh" >&2
  exit 1
fi
for tool in jq dpkg-deb dpkg-shlibdeps "$multiarch-strip"; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing (scripts/install-deps installs it)" >&2; exit 1; }
done

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
VERSION=$("$DOCS_BINARY" command-tree | jq -r .version)
# The layout dpkg-shlibdeps expects: WORK/debian/control and the package tree in WORK/debian/rebound.
WORK=$OUT/work-$ARCH
STAGE=$WORK/debian/rebound
rm -rf "$WORK"
mkdir -p "$STAGE/DEBIAN"

# Files, with the modes the package gives them (normalized below: directories 0755, the rest 0644).
install -D -m 0755 "$BINARY" "$STAGE/usr/bin/rebound"
# The publish already strips symbols (they are in rebound.dbg); drop the sections dh_strip also drops.
"$multiarch-strip" --remove-section=.comment --remove-section=.note "$STAGE/usr/bin/rebound"
install -D -m 0644 packaging/rebound.service "$STAGE/lib/systemd/system/rebound.service"
install -D -m 0640 packaging/rebound.toml "$STAGE/etc/rebound/rebound.toml"
packaging/docs/generate.sh --binary "$DOCS_BINARY" --out "$WORK/docs"
install -D -m 0644 "$WORK/docs/rebound.8" "$STAGE/usr/share/man/man8/rebound.8"
install -D -m 0644 "$WORK/docs/rebound.toml.5" "$STAGE/usr/share/man/man5/rebound.toml.5"
install -D -m 0644 "$WORK/docs/completions/rebound" "$STAGE/usr/share/bash-completion/completions/rebound"
install -D -m 0644 "$WORK/docs/completions/_rebound" "$STAGE/usr/share/zsh/vendor-completions/_rebound"
install -D -m 0644 "$WORK/docs/completions/rebound.fish" "$STAGE/usr/share/fish/vendor_completions.d/rebound.fish"
install -D -m 0644 -t "$STAGE/usr/share/rebound/prometheus" packaging/prometheus/rebound.rules.yml packaging/prometheus/grafana-dashboard.json
DOC=$STAGE/usr/share/doc/rebound
install -D -m 0644 packaging/deb/copyright "$DOC/copyright"
install -D -m 0644 packaging/deb/lintian-overrides "$STAGE/usr/share/lintian/overrides/rebound"
install -m 0644 README.md "$DOC/README.md"
cat >"$DOC/changelog" <<EOF
rebound ($VERSION) unstable; urgency=medium

  * Built from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown).

 -- Rebound developers <dev@rebound.invalid>  $(date -u -R -d "@$SOURCE_DATE_EPOCH")
EOF
gzip -9n "$STAGE/usr/share/man/man8/rebound.8" "$STAGE/usr/share/man/man5/rebound.toml.5" "$DOC/changelog" "$DOC/README.md"

for script in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$script" "$STAGE/DEBIAN/$script"
done
echo /etc/rebound/rebound.toml >"$STAGE/DEBIAN/conffiles"

# The libraries the binary links (libc, libm, zlib) as dpkg-shlibdeps finds them, plus libssl: .NET opens
# it at run time for HTTPS (DDNS providers, webhooks), so no ELF header names it.
printf 'Source: rebound\n\nPackage: rebound\nArchitecture: any\n' >"$WORK/debian/control"
shlibs=$(cd "$WORK" && DEB_HOST_ARCH=$ARCH DEB_HOST_MULTIARCH=$multiarch \
  dpkg-shlibdeps -O -l"/usr/lib/$multiarch" -edebian/rebound/usr/bin/rebound | sed -n 's/^shlibs:Depends=//p')
[[ -n $shlibs ]] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -s --apparent-size --block-size=1024 --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$shlibs, libssl3/" \
  packaging/deb/control.in >"$STAGE/DEBIAN/control"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$STAGE/DEBIAN/md5sums"

find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -type f ! -perm -u+x ! -path "$STAGE/etc/rebound/rebound.toml" -exec chmod 0644 {} +
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

DEB=$OUT/rebound_${VERSION}_$ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
rm -rf "$WORK"
echo "build-deb: $DEB"
