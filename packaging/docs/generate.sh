#!/usr/bin/env bash
# Generates the manual pages and shell completions from their single sources, so they cannot drift:
#   OUT/rebound.8                 from `BINARY command-tree` (the command tree, with the texts of --help)
#   OUT/rebound.toml.5            from the sample configuration (packaging/rebound.toml)
#   OUT/completions/rebound       bash   (/usr/share/bash-completion/completions/rebound)
#   OUT/completions/_rebound      zsh    (/usr/share/zsh/vendor-completions/_rebound)
#   OUT/completions/rebound.fish  fish   (/usr/share/fish/vendor_completions.d/rebound.fish)
#
# Usage: packaging/docs/generate.sh --binary PATH --out DIR [--config FILE]
#   --binary PATH  a rebound that runs on this machine (the help texts are the same on every architecture)
#   --config FILE  default: packaging/rebound.toml
# Env:   SOURCE_DATE_EPOCH  the date in the pages (default: now), for reproducible builds
# Needs jq and awk.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BINARY= OUT= CONFIG=$HERE/../rebound.toml
while (($#)); do
  case $1 in
    --binary) BINARY=${2:?--binary needs a path}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --config) CONFIG=${2:?--config needs a file}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "generate: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $BINARY && -n $OUT ]] || { echo "generate: --binary and --out are required (see --help)" >&2; exit 2; }

date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
tree=$(mktemp)
trap 'rm -f "$tree"' EXIT
"$BINARY" command-tree >"$tree"
version=$(jq -r .version "$tree")

mkdir -p "$OUT/completions"
jq -r -f "$HERE/tree2records.jq" "$tree" | awk -v date="$date" -f "$HERE/roff.awk" -f "$HERE/man8.awk" >"$OUT/rebound.8"
awk -v date="$date" -v version="$version" -f "$HERE/roff.awk" -f "$HERE/man5.awk" "$CONFIG" "$CONFIG" >"$OUT/rebound.toml.5"
jq -r -L "$HERE" -f "$HERE/bash.jq" "$tree" >"$OUT/completions/rebound"
jq -r -L "$HERE" -f "$HERE/zsh.jq" "$tree" >"$OUT/completions/_rebound"
jq -r -L "$HERE" -f "$HERE/fish.jq" "$tree" >"$OUT/completions/rebound.fish"
