#!/usr/bin/env bash
# [tailscale] heal benchmark: the lab's fake tailscaled (port 41641 kept across rebind and restart, its direct path
# as real UDP through the lab router, DERP and control as real TCP with 120 s read deadlines;
# tests/Rebound.Lab.Tests/Tailscale) on the LAN host, stock and with `rebound run` + [tailscale] (reset-tcp,
# hop-port, restart), in two labs side by side switched at the same moment: failover, then failback, per cycle.
# Per switch and side: direct path back (first pong to a ping sent after the switch; the fake pings every 3 s
# like magicsock's heartbeat, Rebound's verification pings in between) and control back (the server first heard
# on a connection opened after the switch). Nothing within 130 s: not restored.
#
# Usage: bench/heal-tailscale.sh [--cycles N] [--mode pinned|masquerade|mwan3]
# Env:   REBOUND_BIN  binary to run (default: artifacts/publish/rebound, AOT-published if missing)
# Out:   markdown table on stdout; samples.csv, the agent's journal and config in bench/results/<UTC time>-tailscale-<mode>/
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_LIB=1 source "$ROOT/bench/detection.sh" # percentile
cd "$ROOT"

CYCLES=20 MODE=pinned
while (($#)); do
  case $1 in
    --cycles) CYCLES=$2; shift ;;
    --mode) MODE=$2; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $CYCLES =~ ^[0-9]+$ ]] && ((CYCLES > 0)) || { echo "--cycles must be a positive integer" >&2; exit 2; }
[[ $MODE =~ ^(pinned|masquerade|mwan3)$ ]] || { echo "--mode must be pinned, masquerade or mwan3" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "bench: must run as root (the lab uses network namespaces)" >&2; exit 2; }

BIN=${REBOUND_BIN:-$ROOT/artifacts/publish/rebound}
if [[ -z ${REBOUND_BIN:-} && ! -x $BIN ]]; then
  echo "bench: publishing the AOT binary to artifacts/publish" >&2
  dotnet publish src/Rebound.Cli -c Release -r linux-x64 -o artifacts/publish -nologo -v quiet >&2
fi
[[ -x $BIN ]] || { echo "bench: $BIN is not executable" >&2; exit 2; }

OUT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-tailscale-$MODE
mkdir -p "$OUT"
# The fake lives in the lab tests; the measurement is their TailscaleHealBench (skipped unless this sets its output).
dotnet build tests/Rebound.Lab.Tests -nologo -v quiet >&2
REBOUND_BIN=$BIN REBOUND_BENCH_TAILSCALE_OUT=$OUT REBOUND_BENCH_CYCLES=$CYCLES REBOUND_BENCH_MODE=$MODE \
  dotnet test tests/Rebound.Lab.Tests --no-build --filter "FullyQualifiedName~TailscaleHealBench" \
  --logger "console;verbosity=normal" >"$OUT/test.log" 2>&1 || { tail -40 "$OUT/test.log" >&2; exit 1; }
SAMPLES=$OUT/samples.csv

{
  echo "Fake tailscaled behind the lab router, $CYCLES cycles, mode $MODE: stock vs rebound run ($(basename "$BIN")) with [tailscale] ping_peers, [watch] interval 1s"
  echo
  echo "| side | direction | direct path back | p50 ms | p95 ms | max ms | control back | p50 ms | p95 ms | max ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for side in stock rebound; do
    for dir in failover failback; do
      rows=$(awk -F, -v s="$side" -v d="$dir" '$1 == s && $2 == d' "$SAMPLES")
      direct=$(awk -F, '$5 != "" { print $5 }' <<<"$rows")
      control=$(awk -F, '$6 != "" { print $6 }' <<<"$rows")
      n=$(grep -c . <<<"$rows" || true)
      printf '| %s | %s | %s/%s | %s | %s | %s | %s/%s | %s | %s | %s |\n' "$side" "$dir" \
        "$(grep -c . <<<"$direct" || true)" "$n" "$(percentile 50 <<<"$direct")" "$(percentile 95 <<<"$direct")" "$(percentile 100 <<<"$direct")" \
        "$(grep -c . <<<"$control" || true)" "$n" "$(percentile 50 <<<"$control")" "$(percentile 95 <<<"$control")" "$(percentile 100 <<<"$control")"
    done
  done
  echo
  echo "Raw samples: ${OUT#"$ROOT"/}/"
} | tee "$OUT/summary.md"
